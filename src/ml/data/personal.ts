/**
 * Heuristics for columns that look like personal data. A false alarm costs the user one
 * line in features.yaml (allow_personal); a miss can leak people's data into a model, so
 * the rules lean towards flagging.
 */
import type { ColumnType } from '../frame.js';

export type PersonalKind = 'email' | 'phone' | 'name' | 'birth_date';

export const PERSONAL_DESCRIPTION: Record<PersonalKind, string> = {
  email: 'email addresses',
  phone: 'phone numbers',
  name: "people's names",
  birth_date: 'exact birth dates',
};

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[A-Za-z]{2,}$/;
const PHONE = /^\+?[\d\s().-]+$/;
const DATEISH = /^\d{4}-\d{2}-\d{2}/;
const PERSON_NAME = /^[A-Z][a-z'-]+(?: [A-Z]\.?)?(?: [A-Z][a-z'-]+){1,2}$/;
const NAME_COLUMN = /^(first|last|full|given|family|sur|middle|maiden|user|customer|person|patient|contact|employee)?[ _-]?name$/i;
const NOT_A_PERSON = /city|country|town|street|state|region|product|station|company|file|host|team|brand/i;
const PHONE_COLUMN = /phone|mobile|cell|(^|[_\s])tel($|[_\s]|ephone)|fax/i;
const BIRTH_COLUMN = /birth|(^|[_\s])dob($|[_\s])|born/i;

function share(sample: string[], re: (s: string) => boolean): number {
  if (sample.length === 0) return 0;
  let hits = 0;
  for (const s of sample) if (re(s)) hits++;
  return hits / sample.length;
}

function looksLikePhone(s: string): boolean {
  const t = s.trim();
  if (!PHONE.test(t) || DATEISH.test(t)) return false;
  const digits = t.replace(/\D/g, '').length;
  // A bare run of digits is more likely an ID or an amount than a phone number.
  return digits >= 7 && digits <= 15 && (t.startsWith('+') || /[\s().-]/.test(t));
}

/**
 * @param sample up to ~1000 non-missing raw values of the column
 * @param distinctShare distinct values / non-missing values (names are mostly unique)
 */
export function detectPersonal(name: string, type: ColumnType | 'datetime', sample: string[], distinctShare = 1): PersonalKind | undefined {
  if ((type === 'date' || type === 'datetime') && BIRTH_COLUMN.test(name)) return 'birth_date';
  if (type === 'categorical' && BIRTH_COLUMN.test(name) && share(sample, (s) => DATEISH.test(s)) >= 0.5) return 'birth_date';
  if (type === 'categorical') {
    if (share(sample, (s) => EMAIL.test(s.trim())) >= 0.5) return 'email';
    if (share(sample, looksLikePhone) >= 0.5) return 'phone';
    if (NAME_COLUMN.test(name) && !NOT_A_PERSON.test(name)) return 'name';
    if (!NOT_A_PERSON.test(name) && sample.length >= 20 && distinctShare > 0.8 && share(sample, (s) => PERSON_NAME.test(s.trim())) >= 0.6) {
      return 'name';
    }
  }
  if (type === 'number' && PHONE_COLUMN.test(name)) return 'phone';
  if (type === 'categorical' && PHONE_COLUMN.test(name)) return 'phone';
  return undefined;
}

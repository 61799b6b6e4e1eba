/**
 * A small arithmetic language for derived columns (`expr: "temp * humidity / 100"`),
 * parsed into a tree and evaluated row by row: no eval, no access to anything but the
 * named columns and a fixed set of functions.
 *
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | cmp
 *   cmp     := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/" | "%") unary)*
 *   unary   := ("-" | "+") unary | power
 *   power   := atom (("^" | "**") unary)?
 *   atom    := number | column | `column name` | func "(" expr ("," expr)* ")" | "(" expr ")"
 *
 * Comparisons and logic yield 1 / 0; a missing input (NaN) gives NaN.
 */

export type Node =
  | { k: 'num'; v: number }
  | { k: 'col'; name: string }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'call'; fn: string; args: Node[] };

export class ExprError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
  }
}

const FUNCS: Record<string, { arity: [number, number]; f: (...xs: number[]) => number }> = {
  abs: { arity: [1, 1], f: Math.abs },
  sqrt: { arity: [1, 1], f: Math.sqrt },
  log: { arity: [1, 1], f: Math.log },
  log1p: { arity: [1, 1], f: Math.log1p },
  exp: { arity: [1, 1], f: Math.exp },
  floor: { arity: [1, 1], f: Math.floor },
  ceil: { arity: [1, 1], f: Math.ceil },
  round: { arity: [1, 1], f: Math.round },
  min: { arity: [2, 16], f: Math.min },
  max: { arity: [2, 16], f: Math.max },
  pow: { arity: [2, 2], f: Math.pow },
};

type Tok = { t: 'num' | 'id' | 'op' | 'end'; v: string; pos: number };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) { toks.push({ t: 'num', v: num[0], pos: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (id) { toks.push({ t: 'id', v: id[0], pos: i }); i += id[0].length; continue; }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end === -1) throw new ExprError('unterminated `quoted column name`', i);
      toks.push({ t: 'id', v: '`' + src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const op = /^(\*\*|<=|>=|==|!=|[-+*/%^()<>,])/.exec(src.slice(i));
    if (op) { toks.push({ t: 'op', v: op[0], pos: i }); i += op[0].length; continue; }
    throw new ExprError(`unexpected character "${c}"`, i);
  }
  toks.push({ t: 'end', v: '', pos: src.length });
  return toks;
}

export function parseExpr(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (...ops: string[]) => peek().t === 'op' && ops.includes(peek().v);
  const isWord = (w: string) => peek().t === 'id' && peek().v === w;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExprError(`expected "${v}"${peek().t === 'end' ? ' at the end' : ` before "${peek().v}"`}`, peek().pos);
    p++;
  };
  const or = (): Node => {
    let a = and();
    while (isWord('or')) { p++; a = { k: 'bin', op: 'or', a, b: and() }; }
    return a;
  };
  const and = (): Node => {
    let a = not();
    while (isWord('and')) { p++; a = { k: 'bin', op: 'and', a, b: not() }; }
    return a;
  };
  const not = (): Node => {
    if (isWord('not')) { p++; return { k: 'un', op: 'not', a: not() }; }
    return cmp();
  };
  const cmp = (): Node => {
    const a = sum();
    if (isOp('<', '<=', '>', '>=', '==', '!=')) {
      const op = toks[p++].v;
      return { k: 'bin', op, a, b: sum() };
    }
    return a;
  };
  const sum = (): Node => {
    let a = product();
    while (isOp('+', '-')) { const op = toks[p++].v; a = { k: 'bin', op, a, b: product() }; }
    return a;
  };
  const product = (): Node => {
    let a = unary();
    while (isOp('*', '/', '%')) { const op = toks[p++].v; a = { k: 'bin', op, a, b: unary() }; }
    return a;
  };
  const unary = (): Node => {
    if (isOp('-', '+')) { const op = toks[p++].v; return { k: 'un', op, a: unary() }; }
    return power();
  };
  const power = (): Node => {
    const a = atom();
    if (isOp('^', '**')) { p++; return { k: 'bin', op: '^', a, b: unary() }; }
    return a;
  };
  const atom = (): Node => {
    const t = peek();
    if (t.t === 'num') { p++; return { k: 'num', v: Number(t.v) }; }
    if (t.t === 'id') {
      p++;
      if (t.v.startsWith('`')) return { k: 'col', name: t.v.slice(1) };
      if (['and', 'or', 'not'].includes(t.v)) throw new ExprError(`unexpected "${t.v}"`, t.pos);
      if (isOp('(')) {
        const fn = FUNCS[t.v];
        if (!fn) throw new ExprError(`unknown function "${t.v}" (known: ${Object.keys(FUNCS).join(', ')})`, t.pos);
        p++;
        const args = [or()];
        while (isOp(',')) { p++; args.push(or()); }
        expect(')');
        if (args.length < fn.arity[0] || args.length > fn.arity[1]) throw new ExprError(`${t.v}() takes ${fn.arity[0]}${fn.arity[1] > fn.arity[0] ? '+' : ''} arguments, got ${args.length}`, t.pos);
        return { k: 'call', fn: t.v, args };
      }
      return { k: 'col', name: t.v };
    }
    if (isOp('(')) { p++; const e = or(); expect(')'); return e; }
    throw new ExprError(t.t === 'end' ? 'expression ends too early' : `unexpected "${t.v}"`, t.pos);
  };
  const root = or();
  if (peek().t !== 'end') throw new ExprError(`unexpected "${peek().v}"`, peek().pos);
  return root;
}

export function columnsOf(node: Node, out = new Set<string>()): Set<string> {
  if (node.k === 'col') out.add(node.name);
  else if (node.k === 'un') columnsOf(node.a, out);
  else if (node.k === 'bin') { columnsOf(node.a, out); columnsOf(node.b, out); }
  else if (node.k === 'call') node.args.forEach((a) => columnsOf(a, out));
  return out;
}

const truth = (x: number) => (x !== x ? NaN : x !== 0 ? 1 : 0);

/** Compiles a tree to a row function over the given columns. */
export function compile(node: Node, lookup: (name: string) => ArrayLike<number>): (i: number) => number {
  switch (node.k) {
    case 'num': { const v = node.v; return () => v; }
    case 'col': { const c = lookup(node.name); return (i) => c[i]; }
    case 'call': {
      const f = FUNCS[node.fn].f;
      const args = node.args.map((a) => compile(a, lookup));
      return (i) => f(...args.map((g) => g(i)));
    }
    case 'un': {
      const a = compile(node.a, lookup);
      if (node.op === '-') return (i) => -a(i);
      if (node.op === '+') return a;
      return (i) => { const x = truth(a(i)); return x !== x ? NaN : 1 - x; };
    }
    case 'bin': {
      const a = compile(node.a, lookup);
      const b = compile(node.b, lookup);
      const nan2 = (f: (x: number, y: number) => number) => (i: number) => {
        const x = a(i), y = b(i);
        return x !== x || y !== y ? NaN : f(x, y);
      };
      switch (node.op) {
        case '+': return (i) => a(i) + b(i);
        case '-': return (i) => a(i) - b(i);
        case '*': return (i) => a(i) * b(i);
        case '/': return (i) => a(i) / b(i);
        case '%': return (i) => a(i) % b(i);
        case '^': return (i) => a(i) ** b(i);
        case '<': return nan2((x, y) => +(x < y));
        case '<=': return nan2((x, y) => +(x <= y));
        case '>': return nan2((x, y) => +(x > y));
        case '>=': return nan2((x, y) => +(x >= y));
        case '==': return nan2((x, y) => +(x === y));
        case '!=': return nan2((x, y) => +(x !== y));
        case 'and': return nan2((x, y) => +(x !== 0 && y !== 0));
        case 'or': return nan2((x, y) => +(x !== 0 || y !== 0));
      }
    }
  }
  throw new Error(`unknown expression node ${JSON.stringify(node)}`);
}

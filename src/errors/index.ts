export { MlvError } from './MlvError.js';
export { InputError } from './InputError.js';
export { UsageError } from './UsageError.js';
export { NotFoundError } from './NotFoundError.js';
export { CorruptObjectError } from './CorruptObjectError.js';
export { CheckFailedError } from './CheckFailedError.js';
export { ConflictError } from './ConflictError.js';
export { UnsafePathError } from './UnsafePathError.js';
export { EnvironmentError, environmentError } from './EnvironmentError.js';

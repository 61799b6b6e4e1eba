/**
 * gear.wat compiled by wabt's wat2wasm 1.0.32 (`wat2wasm gear.wat`), embedded so that
 * neither a build nor CI needs wabt. tests/unit/store/chunker.test.ts recompiles the
 * .wat when wat2wasm is installed and checks these bytes are what it gives.
 */
export const GEAR_WASM_BASE64 =
  'AGFzbQEAAAABCwFgBn9/f39/fwF/AwIBAAUDAQABBgYBfwFBAAsHFAMGbWVtb3J5AgABaAMAA2N1dAAACnQBcgACQANAIAAgAU8NASAFQQF0IAAtAABBAnQoAgBqIQUgAEEBaiEAIAUgA3FFBEAgAA8LDAALCwJAA0AgACACTw0BIAVBAXQgAC0AAEECdCgCAGohBSAAQQFqIQAgBSAEcUUEQCAADwsMAAsLIAUkAEEACw==';

;; The gear-hash cut loop of docs/FORMAT.md ("Chunked files"), for src/store/chunker.ts.
;; Memory: the gear table (256 x i32, little-endian) at 0, the bytes to scan from 1024.
;; cut(i, normal, last, maskS, maskL, h): go on scanning at offset i with hash h, with
;; maskS before offset `normal` and maskL from there; returns the offset just past the
;; cut, or 0 when there is none before `last` (then the global `h` holds the hash, to go
;; on with the next bytes). Offsets are into memory.
(module
  (memory (export "memory") 1)
  (global $h (export "h") (mut i32) (i32.const 0))
  (func (export "cut") (param $i i32) (param $normal i32) (param $last i32) (param $maskS i32) (param $maskL i32) (param $h i32) (result i32)
    (block $s_done
      (loop $s
        (br_if $s_done (i32.ge_u (local.get $i) (local.get $normal)))
        (local.set $h (i32.add (i32.shl (local.get $h) (i32.const 1))
                               (i32.load (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $h) (local.get $maskS))) (then (return (local.get $i))))
        (br $s)))
    (block $l_done
      (loop $l
        (br_if $l_done (i32.ge_u (local.get $i) (local.get $last)))
        (local.set $h (i32.add (i32.shl (local.get $h) (i32.const 1))
                               (i32.load (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $h) (local.get $maskL))) (then (return (local.get $i))))
        (br $l)))
    (global.set $h (local.get $h))
    (i32.const 0)))

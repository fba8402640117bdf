;; start_spin.wat: the start function never returns; only --fuel or
;; --timeout-ms can stop instantiation.
(module
  (func $start (loop (br 0)))
  (func (export "f") (result i32) (i32.const 1))
  (start $start))

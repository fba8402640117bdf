;; slowhost.wat: a guest whose work is a host call (test_bounds.c: the
;; deadline and cancellation reach long host functions).
(module
  (import "env" "slow" (func $slow))
  (func (export "run") (call $slow)))

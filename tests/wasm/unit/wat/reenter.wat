;; reenter.wat: a host function that calls back into the module.
(module
  (import "env" "callback" (func $cb (param i32) (result i32)))
  (memory (export "memory") 1)
  ;; 10 * n + 1, computed by a wasm function the host calls back into
  (func (export "inner") (param i32) (result i32)
    (i32.add (i32.mul (local.get 0) (i32.const 10)) (i32.const 1)))
  ;; recursion through the host: outer(n) = callback(n) + 1000, where
  ;; callback runs inner(n) with the wasm frames of outer still live
  (func (export "outer") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.const 7))
    (i32.add (call $cb (local.get 0))
             (i32.add (local.get 1) (i32.const 993))))
)

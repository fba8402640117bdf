;; host.wat: calls into host functions that read guest memory and trap.
(module
  (import "env" "peek" (func $peek (param i32 i32) (result i32)))
  (import "env" "fail" (func $fail))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "call_peek") (param i32 i32) (result i32)
    (call $peek (local.get 0) (local.get 1)))
  (func (export "call_fail") (result i32) (call $fail) (i32.const 1))
)

;; start_trap.wat: the start function traps during instantiation.
(module
  (func $start (unreachable))
  (func (export "f") (result i32) (i32.const 1))
  (start $start))

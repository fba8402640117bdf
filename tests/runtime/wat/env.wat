;; env.wat: imports from `env`, as a C toolchain emits for missing symbols.
(module
  (import "env" "getenv" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))

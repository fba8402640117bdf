;; wasi.wat: imports WASI fd_write; no ambient capability may be linked.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))

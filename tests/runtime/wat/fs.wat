;; fs.wat: imports yoi:fs (a later yoi host API); unsupported here, before anything runs.
(module
  (import "yoi:fs" "read" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))

;; bad_tool_import.wat: an unknown name inside yoi:tool.
(module
  (import "yoi:tool" "read_file" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))

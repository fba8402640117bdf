;; no_export.wat: yoi_tool_call has the design doc's (wrong) type () -> i32.
(module
  (memory (export "memory") 1)
  (func (export "yoi_tool_call") (result i32) (i32.const 0)))

;; deadline.wat: the `Deadline` tool loops until the call's deadline (or its
;; cancellation) stops it: the long call the MCP cancellation tests cancel.
(module
  (memory (export "memory") 1)
  (func (export "yoi_tool_call") (loop $spin (br $spin))))

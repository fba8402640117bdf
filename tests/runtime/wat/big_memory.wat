;; big_memory.wat: initial memory of 257 pages, one above the 16 MiB default.
(module
  (memory (export "memory") 257)
  (func (export "yoi_tool_call")))

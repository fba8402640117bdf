;; full_memory_table.wat: 256 pages (all of the default 16 MiB) and a table
;; of one element: the table's 8 bytes count against the same memory limit.
(module
  (memory (export "memory") 256)
  (table 1 funcref)
  (func (export "yoi_tool_call")))

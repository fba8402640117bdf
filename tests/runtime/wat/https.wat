;; https.wat: calls yoi:https request with "{}" and then writes a valid output
;; (the failed request is sticky: the call fails anyway).
(module
  (import "yoi:tool" "output_write" (func $out (param i32 i32) (result i32)))
  (import "yoi:https" "request" (func $req (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"summary\":\"after request\"}")
  (data (i32.const 64) "{}")
  (func (export "yoi_tool_call")
    (drop (call $req (i32.const 64) (i32.const 2)))
    (drop (call $out (i32.const 0) (i32.const 27)))))

;; abi.wat: exercises the yoi:tool calls; the tool name picks the behaviour.
;;  "reads":      wrong-length, negative and out-of-bounds reads must return -1
;;                (not sticky); exact reads return the length. Writes
;;                {"summary":"reads ok"} or {"summary":"reads bad"}.
;;  "sticky_neg": output_write(-1, 4) then a valid write: the call must fail.
;;  "sticky_oob": output_write past the memory end, then a valid write.
;;  "sticky_big": output_write(0, 65537), then a valid write.
;;  "last_wins":  writes "first" then "second"; "second" must win.
;;  "silent":     never writes.
(module
  (import "yoi:tool" "tool_name_len" (func $nlen (result i32)))
  (import "yoi:tool" "tool_name_read" (func $nread (param i32 i32) (result i32)))
  (import "yoi:tool" "input_len" (func $ilen (result i32)))
  (import "yoi:tool" "input_read" (func $iread (param i32 i32) (result i32)))
  (import "yoi:tool" "output_write" (func $out (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 1024) "{\"summary\":\"reads ok\"}")
  (data (i32.const 1056) "{\"summary\":\"reads bad\"}")
  (data (i32.const 1088) "{\"summary\":\"first\"}")
  (data (i32.const 1120) "{\"summary\":\"second\"}")
  (func $ok (param i32) (result i32) (local.get 0))
  (func $reads (result i32)
    (local $n i32) (local $good i32)
    (local.set $n (call $ilen))
    (local.set $good (i32.const 1))
    ;; one byte short, one byte long, zero, negative pointer, negative length,
    ;; out of bounds: all -1
    (if (i32.ne (call $iread (i32.const 4096) (i32.sub (local.get $n) (i32.const 1))) (i32.const -1)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $iread (i32.const 4096) (i32.add (local.get $n) (i32.const 1))) (i32.const -1)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $iread (i32.const 4096) (i32.const 0)) (i32.const -1)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $iread (i32.const -1) (local.get $n)) (i32.const -1)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $iread (i32.const 4096) (i32.const -5)) (i32.const -1)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $iread (i32.const 131070) (local.get $n)) (i32.const -1)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $nread (i32.const 4096) (i32.add (call $nlen) (i32.const 1))) (i32.const -1)) (then (local.set $good (i32.const 0))))
    ;; exact reads succeed after the failures
    (if (i32.ne (call $iread (i32.const 4096) (local.get $n)) (local.get $n)) (then (local.set $good (i32.const 0))))
    (if (i32.ne (call $nread (i32.const 8192) (call $nlen)) (call $nlen)) (then (local.set $good (i32.const 0))))
    ;; the input's first byte is '{'
    (if (i32.ne (i32.load8_u (i32.const 4096)) (i32.const 123)) (then (local.set $good (i32.const 0))))
    (local.get $good))
  (func (export "yoi_tool_call") (local $c i32)
    (drop (call $nread (i32.const 0) (call $nlen)))
    (local.set $c (i32.load8_u (i32.const 0)))
    (if (i32.eq (local.get $c) (i32.const 114)) ;; 'r'eads
      (then
        (if (call $reads)
          (then (drop (call $out (i32.const 1024) (i32.const 22))))
          (else (drop (call $out (i32.const 1056) (i32.const 23)))))
        (return)))
    (if (i32.eq (local.get $c) (i32.const 108)) ;; 'l'ast_wins
      (then
        (drop (call $out (i32.const 1088) (i32.const 19)))
        (drop (call $out (i32.const 1120) (i32.const 20)))
        (return)))
    (if (i32.eq (local.get $c) (i32.const 115)) ;; 's'ticky_* or 's'ilent
      (then
        (if (i32.eq (i32.load8_u (i32.const 1)) (i32.const 105)) (then (return))) ;; si-lent
        (if (i32.eq (i32.load8_u (i32.const 7)) (i32.const 110)) ;; sticky_n-eg
          (then (drop (call $out (i32.const -1) (i32.const 4)))))
        (if (i32.eq (i32.load8_u (i32.const 7)) (i32.const 111)) ;; sticky_o-ob
          (then (drop (call $out (i32.const 131000) (i32.const 100)))))
        (if (i32.eq (i32.load8_u (i32.const 7)) (i32.const 98)) ;; sticky_b-ig
          (then (drop (call $out (i32.const 0) (i32.const 65537)))))
        (drop (call $out (i32.const 1120) (i32.const 20)))))))

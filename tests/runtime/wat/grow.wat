;; grow.wat: grows memory one page at a time until memory.grow refuses (-1),
;; then reports "grow refused" (or "grow unbounded" after 70,000 pages).
(module
  (import "yoi:tool" "output_write" (func $out (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"summary\":\"grow refused\"}")
  (data (i32.const 64) "{\"summary\":\"grow unbounded\"}")
  (func (export "yoi_tool_call") (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (if (i32.gt_u (local.get $n) (i32.const 70000))
          (then (drop (call $out (i32.const 64) (i32.const 28))) (return)))
        (br $l)))
    (drop (call $out (i32.const 0) (i32.const 26)))))

;; FastCDC v2020 gear scanner (fastcdc crate 4.0.1): rolls the 64-bit gear hash two bytes a step and stops at the first cut.
;;
;; Memory layout (filled by the host at init, never grown here):
;;   [0, 2048)      GEAR     256 x u64, little-endian (seed already applied)
;;   [2048, 4096)   GEAR_LS  256 x u64 (GEAR << 1, seed << 1 applied)
;;   [4096, ...)    the host's byte buffer (address exported as `buffer`)
;; ABI:
;;   set_masks(mask_s, mask_l)   masks of the small (before center) and large regions
;;   hash                        the running hash (mutable global; the host zeroes it per chunk)
;;   scan(p, center, end) -> i32 feeds the pairs (p, p+1), (p+2, p+3), ... while p < end;
;;                               pairs before `center` use mask_s, the rest mask_l.
;;                               `center - p` and `end - p` must be even.
;;                               Returns the cut (exclusive end address of the chunk): p after
;;                               the even byte of a pair matched, p+1 after the odd byte; or -1.
(module
  (memory (export "memory") 1)
  (global (export "buffer") i32 (i32.const 4096))
  (global $hash (export "hash") (mut i64) (i64.const 0))
  (global $mask_s (mut i64) (i64.const 0))
  (global $mask_l (mut i64) (i64.const 0))

  (func (export "set_masks") (param $s i64) (param $l i64)
    (global.set $mask_s (local.get $s))
    (global.set $mask_l (local.get $l)))

  ;; The pairs in [p, stop) with one mask; the hash stays in a local on the hot path.
  (func $run (param $p i32) (param $stop i32) (param $m i64) (result i32)
    (local $h i64)
    (local $m_ls i64)
    (if (i32.ge_u (local.get $p) (local.get $stop))
      (then (return (i32.const -1))))
    (local.set $h (global.get $hash))
    (local.set $m_ls (i64.shl (local.get $m) (i64.const 1)))
    (block $odd
      (block $even
        (loop $pair
          ;; hash = (hash << 2) + GEAR_LS[src[p]]
          (local.set $h
            (i64.add
              (i64.shl (local.get $h) (i64.const 2))
              (i64.load offset=2048
                (i32.shl (i32.load8_u (local.get $p)) (i32.const 3)))))
          (br_if $even (i64.eqz (i64.and (local.get $h) (local.get $m_ls))))
          ;; hash += GEAR[src[p + 1]]
          (local.set $h
            (i64.add
              (local.get $h)
              (i64.load
                (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3)))))
          (br_if $odd (i64.eqz (i64.and (local.get $h) (local.get $m))))
          (br_if $pair
            (i32.lt_u
              (local.tee $p (i32.add (local.get $p) (i32.const 2)))
              (local.get $stop))))
        (global.set $hash (local.get $h))
        (return (i32.const -1)))
      (global.set $hash (local.get $h))
      (return (local.get $p)))
    (global.set $hash (local.get $h))
    (i32.add (local.get $p) (i32.const 1)))

  (func (export "scan") (param $p i32) (param $center i32) (param $end i32) (result i32)
    (local $cut i32)
    (local $stop i32)
    (local.set $stop
      (select (local.get $center) (local.get $end)
        (i32.lt_u (local.get $center) (local.get $end))))
    (local.set $cut (call $run (local.get $p) (local.get $stop) (global.get $mask_s)))
    (if (i32.ge_s (local.get $cut) (i32.const 0))
      (then (return (local.get $cut))))
    (call $run
      (select (local.get $stop) (local.get $p) (i32.gt_u (local.get $stop) (local.get $p)))
      (local.get $end)
      (global.get $mask_l))))

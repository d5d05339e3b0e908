;; The LSTM cell's element-wise loops (lstm-kernels.ts) in WebAssembly SIMD, four lanes at a time,
;; over the memory of tfjs-backend-wasm itself: every pointer is a tensor's byte offset in that
;; heap, and a pointer of 0 (never a tensor's) stands for a tensor of zeros. Arrays are row-major:
;; the gates s [B, 4H] (i, f, o, g), the tape [B, 6H] (see lstm-kernels.ts), the rest [B, H].
;; $n is B * H * 4 and $h is H * 4, both in bytes, so H must be a multiple of 4.
;; scripts/build-wasm.mjs compiles this into lstm-cell-wasm.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 0))

  ;; c = i * (2 sg - 1) + f * cPrev, and u = 2c (tanh(c) = 2 sigmoid(2c) - 1).
  (func (export "state")
    (param $s i32) (param $cp i32) (param $c i32) (param $u i32) (param $n i32) (param $h i32)
    (local $k i32) (local $j i32) (local $r i32) (local $a i32) (local $prev v128) (local $v v128)
    (local.set $r (local.get $s))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $col
          (local.set $a (i32.add (local.get $r) (local.get $j)))
          (local.set $prev (v128.const f32x4 0 0 0 0))
          (if (local.get $cp)
            (then (local.set $prev
              (v128.load (i32.add (local.get $cp) (i32.add (local.get $k) (local.get $j)))))))
          (local.set $v
            (f32x4.add
              (f32x4.mul
                (v128.load (local.get $a))
                (f32x4.sub
                  (f32x4.mul
                    (v128.load (i32.add (local.get $a) (i32.mul (local.get $h) (i32.const 3))))
                    (v128.const f32x4 2 2 2 2))
                  (v128.const f32x4 1 1 1 1)))
              (f32x4.mul
                (v128.load (i32.add (local.get $a) (local.get $h)))
                (local.get $prev))))
          (v128.store (i32.add (local.get $c) (i32.add (local.get $k) (local.get $j))) (local.get $v))
          (v128.store
            (i32.add (local.get $u) (i32.add (local.get $k) (local.get $j)))
            (f32x4.add (local.get $v) (local.get $v)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $h))))
        (local.set $k (i32.add (local.get $k) (local.get $h)))
        (local.set $r (i32.add (local.get $r) (i32.shl (local.get $h) (i32.const 2))))
        (br $row))))

  ;; h = o * tanh(c) from sc = sigmoid(2c), and, when $tape is not 0, the tape's rows
  ;; [i(1-i)(2sg-1), f(1-f)cPrev, o(1-o)tanh(c), sg(1-sg)4i, o(1-tanh(c)^2), f].
  (func (export "output")
    (param $s i32) (param $sc i32) (param $cp i32) (param $hOut i32) (param $tape i32)
    (param $n i32) (param $h i32)
    (local $k i32) (local $j i32) (local $r i32) (local $t i32) (local $a i32) (local $b i32)
    (local $i v128) (local $f v128) (local $o v128) (local $g v128) (local $tc v128)
    (local $prev v128) (local $one v128)
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $r (local.get $s))
    (local.set $t (local.get $tape))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $col
          (local.set $a (i32.add (local.get $r) (local.get $j)))
          (local.set $o (v128.load (i32.add (local.get $a) (i32.shl (local.get $h) (i32.const 1)))))
          (local.set $tc
            (f32x4.sub
              (f32x4.mul
                (v128.load (i32.add (local.get $sc) (i32.add (local.get $k) (local.get $j))))
                (v128.const f32x4 2 2 2 2))
              (local.get $one)))
          (v128.store
            (i32.add (local.get $hOut) (i32.add (local.get $k) (local.get $j)))
            (f32x4.mul (local.get $o) (local.get $tc)))
          (if (local.get $tape)
            (then
              (local.set $i (v128.load (local.get $a)))
              (local.set $f (v128.load (i32.add (local.get $a) (local.get $h))))
              (local.set $g (v128.load (i32.add (local.get $a) (i32.mul (local.get $h) (i32.const 3)))))
              (local.set $prev (v128.const f32x4 0 0 0 0))
              (if (local.get $cp)
                (then (local.set $prev
                  (v128.load (i32.add (local.get $cp) (i32.add (local.get $k) (local.get $j)))))))
              (local.set $b (i32.add (local.get $t) (local.get $j)))
              (v128.store (local.get $b)
                (f32x4.mul
                  (f32x4.mul (local.get $i) (f32x4.sub (local.get $one) (local.get $i)))
                  (f32x4.sub (f32x4.add (local.get $g) (local.get $g)) (local.get $one))))
              (local.set $b (i32.add (local.get $b) (local.get $h)))
              (v128.store (local.get $b)
                (f32x4.mul
                  (f32x4.mul (local.get $f) (f32x4.sub (local.get $one) (local.get $f)))
                  (local.get $prev)))
              (local.set $b (i32.add (local.get $b) (local.get $h)))
              (v128.store (local.get $b)
                (f32x4.mul
                  (f32x4.mul (local.get $o) (f32x4.sub (local.get $one) (local.get $o)))
                  (local.get $tc)))
              (local.set $b (i32.add (local.get $b) (local.get $h)))
              (v128.store (local.get $b)
                (f32x4.mul
                  (f32x4.mul (local.get $g) (f32x4.sub (local.get $one) (local.get $g)))
                  (f32x4.mul (local.get $i) (v128.const f32x4 4 4 4 4))))
              (local.set $b (i32.add (local.get $b) (local.get $h)))
              (v128.store (local.get $b)
                (f32x4.mul
                  (local.get $o)
                  (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc)))))
              (local.set $b (i32.add (local.get $b) (local.get $h)))
              (v128.store (local.get $b) (local.get $f))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $h))))
        (local.set $k (i32.add (local.get $k) (local.get $h)))
        (local.set $r (i32.add (local.get $r) (i32.shl (local.get $h) (i32.const 2))))
        (local.set $t (i32.add (local.get $t) (i32.mul (local.get $h) (i32.const 6))))
        (br $row))))

  ;; Backward: dh = dOut + dhRec, dc = dh * K + dcNext, dz = [dc, dc, dh, dc] * P and, when $dcOut
  ;; is not 0, dcOut = dc * F, from the tape's rows P (4), K and F.
  (func (export "grad")
    (param $tape i32) (param $dOut i32) (param $dhRec i32) (param $dcNext i32) (param $dz i32)
    (param $dcOut i32) (param $n i32) (param $h i32)
    (local $k i32) (local $j i32) (local $t i32) (local $z i32) (local $a i32) (local $b i32)
    (local $p i32) (local $d v128) (local $dc v128)
    (local.set $t (local.get $tape))
    (local.set $z (local.get $dz))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $col
          (local.set $p (i32.add (local.get $k) (local.get $j)))
          (local.set $a (i32.add (local.get $t) (local.get $j)))
          (local.set $b (i32.add (local.get $z) (local.get $j)))
          (local.set $d (v128.const f32x4 0 0 0 0))
          (if (local.get $dOut)
            (then (local.set $d (v128.load (i32.add (local.get $dOut) (local.get $p))))))
          (if (local.get $dhRec)
            (then (local.set $d
              (f32x4.add (local.get $d) (v128.load (i32.add (local.get $dhRec) (local.get $p)))))))
          (local.set $dc
            (f32x4.mul
              (local.get $d)
              (v128.load (i32.add (local.get $a) (i32.shl (local.get $h) (i32.const 2))))))
          (if (local.get $dcNext)
            (then (local.set $dc
              (f32x4.add (local.get $dc) (v128.load (i32.add (local.get $dcNext) (local.get $p)))))))
          (v128.store (local.get $b) (f32x4.mul (local.get $dc) (v128.load (local.get $a))))
          (local.set $a (i32.add (local.get $a) (local.get $h)))
          (local.set $b (i32.add (local.get $b) (local.get $h)))
          (v128.store (local.get $b) (f32x4.mul (local.get $dc) (v128.load (local.get $a))))
          (local.set $a (i32.add (local.get $a) (local.get $h)))
          (local.set $b (i32.add (local.get $b) (local.get $h)))
          (v128.store (local.get $b) (f32x4.mul (local.get $d) (v128.load (local.get $a))))
          (local.set $a (i32.add (local.get $a) (local.get $h)))
          (local.set $b (i32.add (local.get $b) (local.get $h)))
          (v128.store (local.get $b) (f32x4.mul (local.get $dc) (v128.load (local.get $a))))
          (if (local.get $dcOut)
            (then (v128.store
              (i32.add (local.get $dcOut) (local.get $p))
              (f32x4.mul
                (local.get $dc)
                (v128.load (i32.add (local.get $a) (i32.shl (local.get $h) (i32.const 1))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $h))))
        (local.set $k (i32.add (local.get $k) (local.get $h)))
        (local.set $t (i32.add (local.get $t) (i32.mul (local.get $h) (i32.const 6))))
        (local.set $z (i32.add (local.get $z) (i32.shl (local.get $h) (i32.const 2))))
        (br $row)))))

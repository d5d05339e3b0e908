;; Loops of ours in WebAssembly SIMD, four float32 lanes at a time, over the memory of
;; tfjs-backend-wasm itself (simd.ts instantiates them): every pointer is a tensor's byte offset in
;; that heap, and a pointer of 0 (never a tensor's) stands for a tensor of zeros. Arrays are
;; row-major. scripts/build-wasm.mjs compiles this into simd-wasm.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 0))

  ;; A 2-D transpose, $src [$rows, $cols] -> $dst [$cols, $rows], both counts multiples of 4: 4x4
  ;; blocks turned by shuffles, the columns taken 64 at a time so that the rows written stay in cache.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $rs i32) (local $ds i32) (local $jt i32) (local $jend i32) (local $i i32) (local $j i32)
    (local $a i32) (local $d i32) (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rs (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $ds (i32.shl (local.get $rows) (i32.const 2)))
    (block $done
      (loop $tile
        (br_if $done (i32.ge_u (local.get $jt) (local.get $cols)))
        (local.set $jend (i32.add (local.get $jt) (i32.const 64)))
        (if (i32.gt_u (local.get $jend) (local.get $cols)) (then (local.set $jend (local.get $cols))))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $j (local.get $jt))
            (loop $col
              (local.set $a
                (i32.add
                  (local.get $src)
                  (i32.add
                    (i32.mul (local.get $i) (local.get $rs))
                    (i32.shl (local.get $j) (i32.const 2)))))
              (local.set $r0 (v128.load (local.get $a)))
              (local.set $a (i32.add (local.get $a) (local.get $rs)))
              (local.set $r1 (v128.load (local.get $a)))
              (local.set $a (i32.add (local.get $a) (local.get $rs)))
              (local.set $r2 (v128.load (local.get $a)))
              (local.set $a (i32.add (local.get $a) (local.get $rs)))
              (local.set $r3 (v128.load (local.get $a)))
              ;; [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3]
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                (local.get $r0) (local.get $r1)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                (local.get $r2) (local.get $r3)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                (local.get $r2) (local.get $r3)))
              (local.set $d
                (i32.add
                  (local.get $dst)
                  (i32.add
                    (i32.mul (local.get $j) (local.get $ds))
                    (i32.shl (local.get $i) (i32.const 2)))))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (local.get $t0) (local.get $t2)))
              (local.set $d (i32.add (local.get $d) (local.get $ds)))
              (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                (local.get $t0) (local.get $t2)))
              (local.set $d (i32.add (local.get $d) (local.get $ds)))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (local.get $t1) (local.get $t3)))
              (local.set $d (i32.add (local.get $d) (local.get $ds)))
              (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                (local.get $t1) (local.get $t3)))
              (local.set $j (i32.add (local.get $j) (i32.const 4)))
              (br_if $col (i32.lt_u (local.get $j) (local.get $jend))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $row)))
        (local.set $jt (local.get $jend))
        (br $tile))))

  ;; Copies $n bytes from $s to $d, 16 at a time where $vec (n a multiple of 16), else 4.
  (func $copy (param $s i32) (param $d i32) (param $n i32) (param $vec i32)
    (local $k i32)
    (if (local.get $vec)
      (then
        (loop $v
          (v128.store (i32.add (local.get $d) (local.get $k)) (v128.load (i32.add (local.get $s) (local.get $k))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $v (i32.lt_u (local.get $k) (local.get $n)))))
      (else
        (loop $f
          (f32.store (i32.add (local.get $d) (local.get $k)) (f32.load (i32.add (local.get $s) (local.get $k))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br_if $f (i32.lt_u (local.get $k) (local.get $n)))))))

  ;; $d += $s over $n bytes, as $copy.
  (func $accumulate (param $s i32) (param $d i32) (param $n i32) (param $vec i32)
    (local $k i32) (local $a i32)
    (if (local.get $vec)
      (then
        (loop $v
          (local.set $a (i32.add (local.get $d) (local.get $k)))
          (v128.store (local.get $a)
            (f32x4.add (v128.load (local.get $a)) (v128.load (i32.add (local.get $s) (local.get $k)))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $v (i32.lt_u (local.get $k) (local.get $n)))))
      (else
        (loop $f
          (local.set $a (i32.add (local.get $d) (local.get $k)))
          (f32.store (local.get $a)
            (f32.add (f32.load (local.get $a)) (f32.load (i32.add (local.get $s) (local.get $k)))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br_if $f (i32.lt_u (local.get $k) (local.get $n)))))))

  ;; im2col with 'same' zero padding, x [B, H, W, C] -> cols [B, H, W, kh * kw * C] (kh, kw odd):
  ;; tap (i, j) of pixel (h, w) is x[h + i - ph, w + j - pw], or zeros off the edge. With $back,
  ;; its gradient instead: each tap of cols added back into x where it was read (x zeroed first).
  (func (export "im2col")
    (param $x i32) (param $cols i32) (param $B i32) (param $H i32) (param $W i32) (param $C i32)
    (param $kh i32) (param $kw i32) (param $back i32)
    (local $cb i32) (local $vec i32) (local $ph i32) (local $pw i32) (local $rows i32) (local $r i32)
    (local $h i32) (local $w i32) (local $i i32) (local $j i32) (local $hh i32) (local $ww i32)
    (local $o i32) (local $at i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vec (i32.eqz (i32.and (local.get $C) (i32.const 3))))
    (local.set $ph (i32.shr_u (i32.sub (local.get $kh) (i32.const 1)) (i32.const 1)))
    (local.set $pw (i32.shr_u (i32.sub (local.get $kw) (i32.const 1)) (i32.const 1)))
    (local.set $rows (i32.mul (local.get $B) (local.get $H)))
    (local.set $o (local.get $cols))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $h (i32.rem_u (local.get $r) (local.get $H)))
        (local.set $w (i32.const 0))
        (loop $pixel
          (local.set $i (i32.const 0))
          (loop $tapRow
            (local.set $hh (i32.sub (i32.add (local.get $h) (local.get $i)) (local.get $ph)))
            (local.set $j (i32.const 0))
            (loop $tap
              (local.set $ww (i32.sub (i32.add (local.get $w) (local.get $j)) (local.get $pw)))
              ;; Unsigned: a row or column before the first wraps round to a large one.
              (if (i32.and
                    (i32.lt_u (local.get $hh) (local.get $H))
                    (i32.lt_u (local.get $ww) (local.get $W)))
                (then
                  (local.set $at
                    (i32.add
                      (local.get $x)
                      (i32.mul
                        (i32.add
                          (i32.mul
                            (i32.sub (i32.add (local.get $r) (local.get $i)) (local.get $ph))
                            (local.get $W))
                          (local.get $ww))
                        (local.get $cb))))
                  (if (local.get $back)
                    (then (call $accumulate (local.get $o) (local.get $at) (local.get $cb) (local.get $vec)))
                    (else (call $copy (local.get $at) (local.get $o) (local.get $cb) (local.get $vec)))))
                (else
                  (if (i32.eqz (local.get $back))
                    (then (memory.fill (local.get $o) (i32.const 0) (local.get $cb))))))
              (local.set $o (i32.add (local.get $o) (local.get $cb)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $tap (i32.lt_u (local.get $j) (local.get $kw))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $tapRow (i32.lt_u (local.get $i) (local.get $kh))))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br_if $pixel (i32.lt_u (local.get $w) (local.get $W))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Max pooling over windows of 2 x $pw (2, or 1: over H only), stride the window, 'valid', of x
  ;; [B, H, W, C] (C a multiple of 4) into y [B, H / 2, W / pw, C]. With $back, its gradient
  ;; instead: dy (in $y) to the first maximum of each window in dx (in $x's place: $dx, zeroed
  ;; first), the window's other places 0, as tf.maxPool's gradient.
  (func (export "maxpool")
    (param $x i32) (param $y i32) (param $dx i32) (param $B i32) (param $H i32) (param $W i32)
    (param $C i32) (param $pw i32) (param $back i32)
    (local $cb i32) (local $H2 i32) (local $W2 i32) (local $rows i32) (local $r i32) (local $b i32)
    (local $w i32) (local $c i32) (local $a i32) (local $q i32) (local $down i32) (local $o i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $m v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $taken v128) (local $d v128)
    (local $off i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $H2 (i32.shr_u (local.get $H) (i32.const 1)))
    (local.set $W2 (i32.div_u (local.get $W) (local.get $pw)))
    (local.set $rows (i32.mul (local.get $B) (local.get $H2)))
    ;; The window's places: a, a + q (the next column, or a again over H only), a + down, a + down + q.
    (local.set $q (select (local.get $cb) (i32.const 0) (i32.eq (local.get $pw) (i32.const 2))))
    (local.set $down (i32.mul (local.get $W) (local.get $cb)))
    (local.set $o (local.get $y))
    (if (i32.eqz (i32.mul (local.get $rows) (local.get $W2))) (then (return)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $b (i32.div_u (local.get $r) (local.get $H2)))
        (local.set $w (i32.const 0))
        (loop $window
          ;; Byte offset of the window's first place in x: ((b H + 2 h2) W + pw w) C.
          (local.set $off
            (i32.mul
              (i32.add
                (i32.mul
                  (i32.add
                    (i32.mul (local.get $b) (local.get $H))
                    (i32.shl (i32.sub (local.get $r) (i32.mul (local.get $b) (local.get $H2))) (i32.const 1)))
                  (local.get $W))
                (i32.mul (local.get $pw) (local.get $w)))
              (local.get $cb)))
          (local.set $c (i32.const 0))
          (loop $lanes
            (local.set $a (i32.add (local.get $x) (i32.add (local.get $off) (local.get $c))))
            (local.set $x0 (v128.load (local.get $a)))
            (local.set $x1 (v128.load (i32.add (local.get $a) (local.get $q))))
            (local.set $x2 (v128.load (i32.add (local.get $a) (local.get $down))))
            (local.set $x3 (v128.load (i32.add (local.get $a) (i32.add (local.get $down) (local.get $q)))))
            (local.set $m
              (f32x4.max (f32x4.max (local.get $x0) (local.get $x1)) (f32x4.max (local.get $x2) (local.get $x3))))
            (if (local.get $back)
              (then
                (local.set $e0 (f32x4.eq (local.get $x0) (local.get $m)))
                (local.set $e1 (v128.andnot (f32x4.eq (local.get $x1) (local.get $m)) (local.get $e0)))
                (local.set $taken (v128.or (local.get $e0) (local.get $e1)))
                (local.set $e2 (v128.andnot (f32x4.eq (local.get $x2) (local.get $m)) (local.get $taken)))
                (local.set $taken (v128.or (local.get $taken) (local.get $e2)))
                (local.set $d (v128.load (local.get $o)))
                (local.set $a (i32.add (local.get $dx) (i32.add (local.get $off) (local.get $c))))
                ;; Last place first: over H only, places 1 and 3 are places 0 and 2 again.
                (v128.store (i32.add (local.get $a) (i32.add (local.get $down) (local.get $q)))
                  (v128.andnot (local.get $d) (local.get $taken)))
                (v128.store (i32.add (local.get $a) (local.get $down)) (v128.and (local.get $d) (local.get $e2)))
                (v128.store (i32.add (local.get $a) (local.get $q)) (v128.and (local.get $d) (local.get $e1)))
                (v128.store (local.get $a) (v128.and (local.get $d) (local.get $e0))))
              (else (v128.store (local.get $o) (local.get $m))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br_if $lanes (i32.lt_u (local.get $c) (local.get $cb))))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br_if $window (i32.lt_u (local.get $w) (local.get $W2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; The LSTM cell's element-wise loops (models/lstm-kernels.ts): the gates s [B, 4H] (i, f, o, g),
  ;; the tape [B, 6H] (see lstm-kernels.ts), the rest [B, H]. $n is B * H * 4 and $h is H * 4, both
  ;; in bytes, so H must be a multiple of 4.

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

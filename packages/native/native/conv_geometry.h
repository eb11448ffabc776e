// The geometry of a 2-D convolution or pooling window, as the TypeScript side passes it (kernels.ts
// convGeometry).
#pragma once
#include <cstdint>

namespace sprout_native {

// Convolution geometry, NHWC input [B, H, W, Cin], HWIO filter [KH, KW, Cin, Cout], NHWC output
// [B, OH, OW, Cout]; the same layout as tfjs' Conv2DInfo (backend_util.computeConv2DInfo).
struct ConvGeom {
  int64_t B, H, W, Cin, OH, OW, Cout, KH, KW, sh, sw, dh, dw, padTop, padLeft;
  int64_t P() const { return B * OH * OW; }
  int64_t KC() const { return KH * KW * Cin; }
  bool Pointwise() const {
    return KH == 1 && KW == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && OH == H && OW == W;
  }
};

}  // namespace sprout_native

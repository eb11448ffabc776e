{
  "targets": [
    {
      "target_name": "sprout_native",
      "sources": ["native/addon.cc", "native/napi_util.cc", "native/gemm.cc", "native/im2col.cc", "native/direct_conv.cc", "native/conv.cc", "native/pooling.cc", "native/elementwise.cc", "native/update.cc", "native/threads.cc"],
      "include_dirs": ["<!@(sh -c 'pkg-config --cflags-only-I openblas 2>/dev/null | sed s/-I//g || true')", "/usr/include/openblas"],
      "cflags_cc": ["-O3", "-std=c++17", "<!@(node -p \"process.env.SPROUT_NATIVE_ARCH_FLAGS ?? '-march=native'\")"],
      "libraries": ["<!@(sh -c 'pkg-config --libs openblas 2>/dev/null || echo -lopenblas')"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}

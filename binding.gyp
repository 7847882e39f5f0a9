{
  "targets": [
    {
      "target_name": "auif_kernels",
      "sources": ["native/auif_kernels.cc", "native/train_kernels.cc"],
      "cflags_cc": ["-O3", "-march=native", "-ffp-contract=off", "-fno-fast-math", "-std=c++17", "-pthread"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}

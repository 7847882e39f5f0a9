{
  "targets": [
    {
      "target_name": "auif_kernels",
      "sources": ["native/auif_kernels.cc", "native/fuse_kernels.cc", "native/train_kernels.cc", "native/metrics_kernels.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c++17", "-pthread"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "conv_kernels",
      "sources": ["native/conv_kernels.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=fast", "-fno-fast-math", "-std=c++17", "-pthread"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "csc_kernels",
      "sources": ["native/csc_kernels.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions"]
    },
    {
      "target_name": "baseline_kernels",
      "sources": ["native/baseline_kernels.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=fast", "-fno-fast-math", "-std=c++17", "-pthread"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}

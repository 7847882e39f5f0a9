// Run-time choice of the instruction set for the hot loops of the native kernels.
//
// The addon is built for the baseline of its target (no -march=native, so it loads on any CPU
// of the architecture). Each hot loop is written once as an always-inline template body and
// instantiated twice: a portable version, and on x86-64 a version compiled with AVX2 + FMA
// (`__attribute__((target("avx2,fma")))`), chosen when the CPU and the OS support them
// (`__builtin_cpu_supports`). Both versions perform the same IEEE operations in the same order
// (the build forbids contraction with -ffp-contract=off; fused multiply-adds are written as
// std::fmaf, which is exact in both), so they give the same bits; AUIF_SIMD=0 forces the
// portable one (the tests compare the two).
#pragma once
#include <cstdlib>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define AUIF_HAVE_AVX2_PATH 1
#define AUIF_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define AUIF_HAVE_AVX2_PATH 0
#define AUIF_TARGET_AVX2
#endif

#if defined(__GNUC__)
#define AUIF_INLINE inline __attribute__((always_inline))
#else
#define AUIF_INLINE inline
#endif

namespace auif_simd {

// Whether the AVX2/FMA versions run: the CPU has both (and the OS saves the YMM state, which
// libgcc's cpu detection checks), and AUIF_SIMD is not "0".
inline bool use_avx2() {
#if AUIF_HAVE_AVX2_PATH
  static const bool on = [] {
    const char* env = std::getenv("AUIF_SIMD");
    if (env && env[0] == '0') return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return on;
#else
  return false;
#endif
}

// "avx2+fma" or "portable": what use_avx2() chose.
inline const char* isa_name() { return use_avx2() ? "avx2+fma" : "portable"; }

}  // namespace auif_simd

// Defines `ret name(params)` that calls name##_impl<1>(args) compiled for AVX2/FMA where
// available, else name##_impl<0>(args) (portable). name##_impl must be a template<int> AUIF_INLINE.
#if AUIF_HAVE_AVX2_PATH
#define AUIF_DISPATCH(ret, name, params, args)                                   \
  AUIF_TARGET_AVX2 ret name##_avx2 params { return name##_impl<1> args; }        \
  ret name##_portable params { return name##_impl<0> args; }                     \
  ret name params { return auif_simd::use_avx2() ? name##_avx2 args : name##_portable args; }
#else
#define AUIF_DISPATCH(ret, name, params, args)                                   \
  ret name params { return name##_impl<0> args; }
#endif

/* A stand-in for Windows' bcryptprimitives.dll, for running lotse.exe under Wine 8 in
 * scripts/test-release only. Rust's standard library (1.78 and later) takes random bytes from
 * ProcessPrng, which Windows 10 and later have and Wine gained only in version 9; Debian's Wine 8
 * lacks it, and lotse.exe would not start. This forwards to RtlGenRandom (SystemFunction036).
 * Never shipped: real Windows has the real DLL. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk; length -= chunk;
    }
    return TRUE;
}

package io.hactl.controller.daemon;

import com.sun.jna.Function;

/**
 * Gives the C heap's free memory back to the system (glibc's malloc_trim(3)). The JIT compilers
 * allocate their work areas with malloc; after the start-up rehearsal glibc keeps tens of MB of
 * them mapped, free but counted in the daemon's RSS, until something calls this.
 */
final class NativeHeap {
    private NativeHeap() {}

    /**
     * Trims the C heap; true when memory was released, false when nothing was or the C library
     * has no malloc_trim (musl): the call is an optimisation, never a requirement.
     */
    static boolean trim() {
        try {
            return Function.getFunction("c", "malloc_trim").invokeInt(new Object[] {0}) == 1;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }
}

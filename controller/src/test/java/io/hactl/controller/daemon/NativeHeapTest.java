package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Function;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
    private static final Function MALLOC = Function.getFunction("c", "malloc");
    private static final Function FREE = Function.getFunction("c", "free");

    @Test
    void trimGivesBackFreeMemoryHeldBetweenLiveBlocks() throws Exception {
        // blocks under glibc's mmap threshold (128 KiB) come from the arena; freeing every other
        // one leaves holes that free() keeps mapped (it only returns a free top of the heap)
        int n = 400;
        int size = 64 * 1024;
        Pointer[] blocks = new Pointer[n];
        for (int i = 0; i < n; i++) {
            blocks[i] = MALLOC.invokePointer(new Object[] {(long) size});
            for (int off = 0; off < size; off += 4096) {
                blocks[i].setByte(off, (byte) 1); // touch every page
            }
        }
        for (int i = 0; i < n; i += 2) {
            FREE.invokeVoid(new Object[] {blocks[i]});
        }
        try {
            long before = rssKb();
            assertThat(NativeHeap.trim()).as("malloc_trim released memory").isTrue();
            // 200 holes of 64 KiB: 12.5 MiB, of which glibc 2.36 gives back 6.5-7.5 here; without
            // the trim nothing (and the JVM's other threads may touch a little meanwhile)
            assertThat(before - rssKb()).as("RSS released, KiB").isGreaterThan(4 * 1024);
        } finally {
            for (int i = 1; i < n; i += 2) {
                FREE.invokeVoid(new Object[] {blocks[i]});
            }
        }
    }

    private static long rssKb() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}

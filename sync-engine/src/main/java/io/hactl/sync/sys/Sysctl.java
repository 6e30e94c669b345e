package io.hactl.sync.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a number from a sysctl file under /proc/sys in one read(2). The kernel answers a read
 * at a non-zero offset of such a file with end of file, so a reader that takes it in pieces
 * ({@code Files.readString} asks for one byte first, as /proc reports a size of 0) gets only the
 * first digit: "4" for 4200000.
 */
public final class Sysctl {
    /** More than any number a sysctl file holds, with its newline. */
    private static final int MAX_BYTES = 64;

    private Sysctl() {
    }

    /** The number in {@code file}, or -1 when it cannot be read or is not a number. */
    public static long readLong(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[MAX_BYTES];
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return -1;
            }
            return Long.parseLong(new String(buf, 0, n, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }
}

package io.hactl.sync.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numbers from sysctl files, which answer a read at a non-zero offset with end of file. */
class SysctlTest {
    @TempDir
    Path dir;

    /** What a reader that takes the whole line in one buffered read gets. */
    static long lineOf(Path file) throws Exception {
        try (BufferedReader r = Files.newBufferedReader(file)) {
            return Long.parseLong(r.readLine().strip());
        }
    }

    @Test
    void aSysctlFileGivesItsWholeNumber() throws Exception {
        Path pidMax = Path.of("/proc/sys/kernel/pid_max"); // at least 32768 on Linux: several digits
        assumeTrue(Files.isReadable(pidMax), "not Linux");
        assertThat(Sysctl.readLong(pidMax)).isGreaterThanOrEqualTo(32768).isEqualTo(lineOf(pidMax));
        Path max = Path.of("/proc/sys/net/netfilter/nf_conntrack_max");
        if (Files.isReadable(max)) {
            assertThat(Sysctl.readLong(max)).isEqualTo(lineOf(max)).isGreaterThan(9);
        }
    }

    @Test
    void aFileWithoutANumberOrNoFileGivesMinusOne() throws Exception {
        Path f = dir.resolve("n");
        Files.writeString(f, "4200000\n");
        assertThat(Sysctl.readLong(f)).isEqualTo(4_200_000);
        Files.writeString(f, "many\n");
        assertThat(Sysctl.readLong(f)).isEqualTo(-1);
        Files.writeString(f, "");
        assertThat(Sysctl.readLong(f)).isEqualTo(-1);
        assertThat(Sysctl.readLong(dir.resolve("absent"))).isEqualTo(-1);
    }
}

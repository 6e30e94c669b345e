package io.hactl.sync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheLimitTest {
    @Test
    void theDefaultIsTheKernelsTableSizeAndAtLeastTwoMillionFlows() {
        assertThat(CacheLimit.forKernelMax(262_144)).isEqualTo(2_097_152);
        assertThat(CacheLimit.forKernelMax(-1)).as("unknown").isEqualTo(2_097_152);
        assertThat(CacheLimit.forKernelMax(4_200_000)).isEqualTo(4_200_000);
        assertThat(CacheLimit.forKernelMax(1L << 40)).isEqualTo(FlowStore.MAX_LIMIT);
    }

    @Test
    void theKernelsSizeIsReadFromItsFileAndAnUnreadableOneIsUnknown(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("nf_conntrack_max");
        Files.writeString(f, "4200000\n");
        assertThat(CacheLimit.kernelMax(f)).isEqualTo(4_200_000);
        Files.writeString(f, "garbage");
        assertThat(CacheLimit.kernelMax(f)).isEqualTo(-1);
        assertThat(CacheLimit.kernelMax(dir.resolve("absent"))).isEqualTo(-1);
    }
}

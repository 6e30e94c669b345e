package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.control.StatusReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusAssemblerTest {
    @TempDir
    Path dir;

    @Test
    void theConntrackSizesAreReadFromTheSysctlFilesAndUnknownWithoutThem() throws Exception {
        assertThat(StatusAssembler.conntrack(dir)).isEqualTo(new StatusReport.Conntrack(-1, -1));
        Files.writeString(dir.resolve("nf_conntrack_buckets"), "262144\n");
        Files.writeString(dir.resolve("nf_conntrack_max"), "4200000\n");
        assertThat(StatusAssembler.conntrack(dir)).isEqualTo(new StatusReport.Conntrack(262144, 4_200_000));
        Files.writeString(dir.resolve("nf_conntrack_max"), "lots\n");
        assertThat(StatusAssembler.conntrack(dir)).isEqualTo(new StatusReport.Conntrack(262144, -1));
    }
}

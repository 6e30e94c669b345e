package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.role.Role;
import io.hactl.sync.engine.Standing;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleFileTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedDaemonClaimsTheMarkedFlowsOnlyIfItWasMaster() throws Exception {
        RoleFile f = new RoleFile(dir);
        assertThat(RoleFile.atStart(f.read())).as("first start").isEqualTo(Standing.UNKNOWN);
        f.write(Role.MASTER);
        assertThat(f.read()).contains(Role.MASTER);
        assertThat(RoleFile.atStart(f.read())).isEqualTo(Standing.UNKNOWN_WAS_ACTIVE);
        for (Role r : new Role[] {Role.BACKUP, Role.FAULT, Role.STOP}) {
            f.write(r);
            assertThat(RoleFile.atStart(f.read())).as("%s", r).isEqualTo(Standing.UNKNOWN);
        }
    }

    @Test
    void anUnreadableFileIsAnUnknownRole() throws Exception {
        RoleFile f = new RoleFile(dir);
        Files.writeString(f.path(), "MAST");
        assertThat(f.read()).isEmpty();
        assertThat(RoleFile.atStart(f.read())).isEqualTo(Standing.UNKNOWN);
    }

    @Test
    void onlyBackupAndFaultMayPurge() {
        for (Role r : Role.values()) {
            assertThat(RoleFile.of(r).mayPurge()).as("%s", r).isEqualTo(r == Role.BACKUP || r == Role.FAULT);
            assertThat(RoleFile.of(r).claimsMarked()).as("%s", r).isEqualTo(r == Role.MASTER);
        }
    }
}

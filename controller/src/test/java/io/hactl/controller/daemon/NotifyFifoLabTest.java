package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.cli.ExitCodes;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad notify_fifo path is refused the same way by {@code hactl config check} and by the daemon,
 * before the daemon starts anything (no control socket, no engine, no directory made).
 */
@LabTest(tools = "conntrack")
class NotifyFifoLabTest {
    @TempDir
    Path dir;
    SyncPair pair;
    Daemon started;
    Path key;

    @BeforeEach
    void setUp() throws Exception {
        pair = SyncPair.create();
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
    }

    @AfterEach
    void tearDown() {
        if (started != null) {
            started.close();
        }
        pair.close();
    }

    Path config(Path fifo) throws Exception {
        Path f = dir.resolve("fw1.yaml");
        Files.writeString(f, """
                node: { name: fw1 }
                sync:
                  local: 10.99.0.1
                  peer: 10.99.0.2
                  interface: sync
                  key-file: %s
                role:
                  source: keepalived
                  keepalived: { notify-fifo: %s, sync-group: G1 }
                control: { socket: %s }
                """.formatted(key, fifo, socket()));
        return f;
    }

    Path socket() {
        return dir.resolve("ctl").resolve("hactl.sock");
    }

    /** config check and the daemon both refuse, with the same words, and the daemon starts nothing. */
    void refusedByBoth(Path fifo, String problem) throws Exception {
        Path cfgFile = config(fifo);
        // in the daemon's namespace: config check also checks that the sync address is this host's
        ControlSocketLabTest.Run check = pair.a.call(() -> ControlSocketLabTest.hactl("config", "check", "--config",
                cfgFile.toString()));
        assertThat(check.exit()).as("config check: %s%s", check.out(), check.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(check.err()).contains("role.keepalived.notify-fifo: " + problem);
        HactlConfig cfg = ConfigLoader.load(cfgFile);
        Exception refused = null;
        try {
            started = pair.a.call(() -> Daemon.start(cfg, true));
        } catch (Exception e) {
            refused = e;
        }
        assertThat(refused).as("the daemon starts").isNotNull();
        assertThat(refused.getMessage()).contains("role.keepalived.notify-fifo: " + problem);
        assertThat(socket()).as("nothing started: no control socket").doesNotExist();
        assertThat(socket().getParent()).doesNotExist();
    }

    @Test
    void aRegularFileAtTheFifoPathIsRefusedBeforeAnythingStarts() throws Exception {
        Path f = dir.resolve("keepalived.fifo");
        Files.writeString(f, "");
        refusedByBoth(f, f + " is a regular file, not a FIFO");
    }

    @Test
    void aFifoEveryoneMayWriteIsRefusedBeforeAnythingStarts() throws Exception {
        Path f = dir.resolve("keepalived.fifo");
        assertThat(new ProcessBuilder("mkfifo", "-m", "0666", f.toString()).start().waitFor()).isZero();
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        refusedByBoth(f, f + " is writable by group or others (mode 0666)");
    }

    @Test
    void aFifoUnderAMissingDirectoryIsRefusedAndTheDirectoryNotCreated() throws Exception {
        Path f = dir.resolve("missing").resolve("keepalived.fifo");
        refusedByBoth(f, "directory " + f.getParent() + " does not exist");
        assertThat(f.getParent()).doesNotExist();
    }

    @Test
    void aFifoInTheControlSocketsDirectoryIsCreatedOwnerOnly() throws Exception {
        Path f = socket().getParent().resolve("keepalived.fifo");
        Path cfgFile = config(f);
        HactlConfig cfg = ConfigLoader.load(cfgFile);
        ControlSocketLabTest.Run check = pair.a.call(() -> ControlSocketLabTest.hactl("config", "check", "--config",
                cfgFile.toString()));
        assertThat(check.exit()).as("config check: %s%s", check.out(), check.err()).isZero();
        started = pair.a.call(() -> Daemon.start(cfg, true));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent())))
                .isEqualTo("rwx------");
        assertThat(Files.getAttribute(f, "unix:mode")).isEqualTo(0010600);
    }
}

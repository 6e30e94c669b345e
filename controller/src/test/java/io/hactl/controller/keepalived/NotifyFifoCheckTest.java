package io.hactl.controller.keepalived;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the daemon accepts at the notify_fifo path, and what config check says of the rest. */
class NotifyFifoCheckTest {
    @TempDir
    Path dir;

    static void mkfifo(Path p, String mode) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", "-m", mode, p.toString()).start().waitFor()).isZero();
    }

    @Test
    void nothingThereInAnExistingDirectoryOrAnOwnersOnlyFifoIsAccepted() throws Exception {
        assertThat(NotifyFifoCheck.problems(dir.resolve("keepalived.fifo"), null)).isEmpty();
        mkfifo(dir.resolve("a.fifo"), "0600");
        assertThat(NotifyFifoCheck.problems(dir.resolve("a.fifo"), null)).isEmpty();
        mkfifo(dir.resolve("k.fifo"), "0644"); // as keepalived creates one
        assertThat(NotifyFifoCheck.problems(dir.resolve("k.fifo"), null)).isEmpty();
    }

    @Test
    void aRegularFileIsRefusedWithTheFix() throws Exception {
        Path f = dir.resolve("keepalived.fifo");
        Files.writeString(f, "");
        assertThat(NotifyFifoCheck.problems(f, null)).singleElement().asString()
                .isEqualTo(f + " is a regular file, not a FIFO: remove it (hactl creates the FIFO, mode 0600)"
                        + " or name another path in role.keepalived.notify-fifo and keepalived's notify_fifo");
        Files.createDirectory(dir.resolve("d.fifo"));
        assertThat(NotifyFifoCheck.problems(dir.resolve("d.fifo"), null)).singleElement().asString().contains("is a directory");
    }

    @Test
    void aFifoGroupOrOthersMayWriteIsRefusedWithTheFix() throws Exception {
        Path f = dir.resolve("open.fifo");
        mkfifo(f, "0666");
        assertThat(NotifyFifoCheck.problems(f, null)).singleElement().asString()
                .isEqualTo(f + " is writable by group or others (mode 0666): anyone could forge keepalived's role"
                        + " changes; chmod go-w " + f);
    }

    @Test
    void aMissingDirectoryIsNamedAndNotCreatedUnlessTheDaemonMakesIt() throws Exception {
        Path f = dir.resolve("run").resolve("hactl").resolve("keepalived.fifo");
        assertThat(NotifyFifoCheck.problems(f, null)).singleElement().asString()
                .isEqualTo("directory " + f.getParent() + " does not exist (from " + dir.resolve("run") + " on): create it"
                        + " (mkdir -p -m 0755 " + f.getParent() + ") or name a FIFO in an existing directory");
        assertThat(dir.resolve("run")).doesNotExist();
        // the control socket's directory: the daemon creates it, root-only
        assertThat(NotifyFifoCheck.problems(f, f.getParent())).isEmpty();
    }

    @Test
    void aFifoOfAnotherUserIsRefused() throws Exception {
        assumeThat(System.getProperty("user.name")).as("chown needs root").isEqualTo("root");
        Path f = dir.resolve("theirs.fifo");
        mkfifo(f, "0600");
        Files.setOwner(f, f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(NotifyFifoCheck.problems(f, null)).singleElement().asString()
                .startsWith(f + " belongs to nobody, not to root, who runs hactl").endsWith("chown root " + f);
    }
}

package io.hactl.controller.keepalived;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FifoReaderTest {
    @TempDir
    Path dir;

    @Test
    void parsesKeepalivedLines() {
        assertThat(FifoEvent.parse("INSTANCE \"VI_1\" MASTER 100"))
                .isEqualTo(new FifoEvent(FifoEvent.Kind.INSTANCE, "VI_1", "MASTER", 100));
        assertThat(FifoEvent.parse("GROUP \"G1\" BACKUP 0")).isEqualTo(new FifoEvent(FifoEvent.Kind.GROUP, "G1", "BACKUP", 0));
        assertThat(FifoEvent.parse("INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 100").isRoleChange()).isFalse();
        assertThat(FifoEvent.parse("INSTANCE \"VI_1\" DELETED").priority()).isZero();
        assertThat(FifoEvent.parse("garbage")).isNull();
    }

    record Got(String state, String source) {}

    /** Writes lines as keepalived does: open, write, close (the reader sees end of file and reopens). */
    void write(Path fifo, String... lines) throws Exception {
        try (OutputStream out = Files.newOutputStream(fifo)) {
            for (String l : lines) {
                out.write((l + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void aFifoCreatedAtTheSameMomentByKeepalivedIsTakenAsItIs() throws Exception {
        // hactl and keepalived start together at boot, and both create a missing notify_fifo:
        // several creators at once on each path, as many times, all succeed with one FIFO
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 10; round++) {
                Path fifo = dir.resolve("race-" + round).resolve("keepalived.fifo");
                Files.createDirectory(fifo.getParent()); // checked to exist before the daemon starts
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<?>> creators = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    creators.add(pool.submit(() -> {
                        go.await();
                        FifoReader.ensureFifo(fifo);
                        return null;
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<?> f : creators) {
                    f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertThat(Files.isRegularFile(fifo)).isFalse();
                assertThat(Files.isDirectory(fifo)).isFalse();
                assertThat(Files.exists(fifo)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void somethingElseThanAFifoAtThePathIsRefusedByName() throws Exception {
        Path file = dir.resolve("keepalived.fifo");
        Files.writeString(file, "not a fifo");
        FifoReader r = new FifoReader("fw1", file, "G1", (s, src) -> { });
        org.assertj.core.api.Assertions.assertThatThrownBy(r::start).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a FIFO");
    }

    @Test
    void aFifoOthersCanWriteToIsRefusedAndKeepalivedsOwnModeIsTaken() throws Exception {
        Path open = dir.resolve("open.fifo");
        assertThat(new ProcessBuilder("mkfifo", "-m", "0622", open.toString()).start().waitFor()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FifoReader.ensureFifo(open))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining(open.toString())
                .hasMessageContaining("writable by group or others (mode 0622)");
        // as keepalived creates a missing one: S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH
        Path keepalived = dir.resolve("keepalived.fifo");
        assertThat(new ProcessBuilder("mkfifo", "-m", "0644", keepalived.toString()).start().waitFor()).isZero();
        FifoReader.ensureFifo(keepalived);
    }

    @Test
    void theSyncGroupDrivesTheRoleAcrossReopensAndInstancesAreRecordedOnly() throws Exception {
        Path fifo = dir.resolve("keepalived.fifo");
        List<Got> got = new CopyOnWriteArrayList<>();
        try (FifoReader r = new FifoReader("fw1", fifo, "G1", (s, src) -> got.add(new Got(s, src)))) {
            r.start();
            assertThat(Files.exists(fifo)).isTrue();
            write(fifo, "INSTANCE \"VI_LAN\" MASTER 100", "INSTANCE \"VI_WAN\" MASTER 100", "GROUP \"G1\" MASTER 0");
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
            write(fifo, "INSTANCE \"VI_LAN\" BACKUP 100", "GROUP \"OTHER\" FAULT 0", "GROUP \"G1\" BACKUP 0");
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
            assertThat(got).containsExactly(new Got("MASTER", "keepalived group G1"), new Got("BACKUP", "keepalived group G1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> r.lines() == 6);
        }
    }

    @Test
    void withoutASyncGroupInstancesDriveTheRole() throws Exception {
        Path fifo = dir.resolve("k.fifo");
        List<Got> got = new CopyOnWriteArrayList<>();
        try (FifoReader r = new FifoReader("fw1", fifo, null, (s, src) -> got.add(new Got(s, src)))) {
            r.start();
            write(fifo, "INSTANCE \"VI_1\" MASTER 100", "INSTANCE \"VI_1\" MASTER_PRIORITY 90", "INSTANCE \"VI_1\" STOP 0");
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
            assertThat(got).extracting(Got::state).containsExactly("MASTER", "STOP");
        }
    }

    @Test
    void withoutASyncGroupTheFirstGroupHeardDrivesTheRoleAndInstancesOnlyUntilThen() throws Exception {
        Path fifo = dir.resolve("g.fifo");
        List<Got> got = new CopyOnWriteArrayList<>();
        try (FifoReader r = new FifoReader("fw1", fifo, null, (s, src) -> got.add(new Got(s, src)))) {
            r.start();
            // keepalived's notify on the sync group (through the hook) writes GROUP lines only
            write(fifo, "GROUP \"G1\" BACKUP 0", "GROUP \"G1\" MASTER 0");
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
            // a global notify_fifo writes both: the instances' mixed states change nothing now
            write(fifo, "INSTANCE \"VI_LAN\" BACKUP 100", "GROUP \"G2\" FAULT 0", "INSTANCE \"VI_WAN\" FAULT 100",
                    "GROUP \"G1\" BACKUP 0");
            await().atMost(Duration.ofSeconds(5)).until(() -> r.lines() == 6);
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
            assertThat(got).containsExactly(new Got("BACKUP", "keepalived group G1"), new Got("MASTER", "keepalived group G1"),
                    new Got("BACKUP", "keepalived group G1"));
            assertThat(r.drivingGroup()).isEqualTo("G1");
        }
    }

    @Test
    void withoutASyncGroupInstanceLinesDriveUntilAGroupLineArrives() throws Exception {
        Path fifo = dir.resolve("i.fifo");
        List<Got> got = new CopyOnWriteArrayList<>();
        try (FifoReader r = new FifoReader("fw1", fifo, null, (s, src) -> got.add(new Got(s, src)))) {
            r.start();
            write(fifo, "INSTANCE \"VI_1\" BACKUP 100", "GROUP \"G1\" MASTER 0", "INSTANCE \"VI_1\" FAULT 100");
            await().atMost(Duration.ofSeconds(5)).until(() -> r.lines() == 3);
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
            assertThat(got).containsExactly(new Got("BACKUP", "keepalived instance VI_1"), new Got("MASTER", "keepalived group G1"));
        }
    }

    @Test
    void closeReturnsWhetherOrNotTheReaderThreadReachedTheFifo() throws Exception {
        // started and closed at once, many times: the reader may be before, in or past its open
        for (int i = 0; i < 50; i++) {
            Path fifo = dir.resolve("c" + i + ".fifo");
            FifoReader r = new FifoReader("fw1", fifo, null, (s, src) -> { });
            r.start();
            java.util.concurrent.CompletableFuture<Void> closed = java.util.concurrent.CompletableFuture.runAsync(r::close);
            await().atMost(Duration.ofSeconds(30)).until(closed::isDone);
        }
    }
}

package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CLI behaviour that needs no daemon: exit codes and one-line messages. */
class ClientCommandsTest {
    @TempDir
    Path dir;

    @Test
    void everyClientCommandSaysInOneLineThatTheDaemonIsNotRunningAndExits3Quickly() {
        Path socket = dir.resolve("hactl.sock");
        for (String[] args : new String[][] {{"status"}, {"status", "--json"}, {"commit"}, {"flush"}, {"flush", "external"},
                {"resync"}, {"bulk-send"}, {"request-resync"}, {"purge"}, {"cache", "internal"}, {"stats"}}) {
            String[] full = new String[args.length + 2];
            System.arraycopy(args, 0, full, 0, args.length);
            full[args.length] = "--socket";
            full[args.length + 1] = socket.toString();
            long t0 = System.nanoTime();
            HactlCommandTest.Run r = HactlCommandTest.run(full);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.exit()).as("exit of %s", String.join(" ", args)).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err().strip()).as("message of %s", args[0]).isEqualTo(
                    "hactl: hactl daemon is not running (no control socket " + socket + ")");
            assertThat(r.out()).isEmpty();
            assertThat(ms).as("took %d ms", ms).isLessThan(2000);
        }
    }

    @Test
    void aSocketWithoutADaemonBehindItIsReportedToo() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(socket));
        } // closed: the file stays, nobody listens
        HactlCommandTest.Run r = HactlCommandTest.run("status", "--socket", socket.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).startsWith("hactl: hactl daemon is not running (" + socket);
    }

    @Test
    void misuseGetsUsageAndExit2() {
        assertThat(HactlCommandTest.run("flush", "everything").exit()).isEqualTo(ExitCodes.USAGE);
        HactlCommandTest.Run r = HactlCommandTest.run("cache");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Missing required parameter").contains("Usage: hactl cache");
        assertThat(HactlCommandTest.run("status", "--bogus").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(HactlCommandTest.run("config").exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void keygenWritesAnOwnerOnlyKeyAndNeverOverwrites() throws Exception {
        Path key = dir.resolve("sync.key");
        HactlCommandTest.Run r = HactlCommandTest.run("keygen", key.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("wrote " + key).contains("fingerprint");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        String first = Files.readString(key);
        HactlCommandTest.Run again = HactlCommandTest.run("keygen", key.toString());
        assertThat(again.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains("exists");
        assertThat(Files.readString(key)).isEqualTo(first);
    }

    @Test
    void configCheckPrintsEveryErrorWithKeyAndLineOrOk() throws Exception {
        Path key = dir.resolve("sync.key");
        HactlCommandTest.run("keygen", key.toString());
        Path good = dir.resolve("good.yaml");
        // config check binds the local address: loopback is on every host
        Files.writeString(good, "node: { name: fw1 }\nsync: { local: 127.0.0.1, peer: 10.99.0.2, key-file: " + key + " }\n");
        HactlCommandTest.Run ok = HactlCommandTest.run("config", "check", "--config", good.toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("OK (node fw1, 1 sync link, ftfw, encryption none, key fingerprint");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "node: { name: fw1 }\nsync:\n  local: 10.99.0.1\n  peer: 10.99.0.300\n  mode: fastest\n");
        HactlCommandTest.Run r = HactlCommandTest.run("config", "check", "--config", bad.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).contains("2 errors").contains("line 4, column 9: sync.peer: '10.99.0.300' is not an IP address")
                .contains("line 5, column 9: sync.mode: 'fastest' is not one of ftfw, notrack");

        Path loose = dir.resolve("loose.key");
        Files.writeString(loose, Files.readString(key));
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        Path looseCfg = dir.resolve("loose.yaml");
        Files.writeString(looseCfg, "node: { name: fw1 }\nsync: { local: 127.0.0.1, peer: 10.99.0.2, key-file: " + loose + " }\n");
        HactlCommandTest.Run k = HactlCommandTest.run("config", "check", "--config", looseCfg.toString());
        assertThat(k.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(k.err()).contains("sync.key-file").contains("accessible by others");
    }

    @Test
    void configCheckNamesFileLineAndColumnOfAYamlErrorAndABinaryFileOrKey() throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "node: { name: fw1 }\nsync:\n  local: 10.99.0.1: 3780\n");
        HactlCommandTest.Run y = HactlCommandTest.run("config", "check", "--config", broken.toString());
        assertThat(y.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(y.err().strip()).isEqualTo(broken + ": 1 error\n  line 3, column 19: (yaml): mapping values are not allowed here");

        Path binary = dir.resolve("binary.yaml");
        Files.write(binary, new byte[] {(byte) 0x8f, 0x12, (byte) 0xff, (byte) 0xc3, 0x41});
        HactlCommandTest.Run b = HactlCommandTest.run("config", "check", "--config", binary.toString());
        assertThat(b.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(b.err()).contains(binary + ": 1 error").contains("(file): is not UTF-8 text (byte 0x8f at offset 0, line 1)")
                .doesNotContain("Input length");

        Path key = dir.resolve("binary.key");
        Files.write(key, new byte[] {(byte) 0x8f, 0x12, (byte) 0xff, (byte) 0xc3, 0x41});
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path cfg = dir.resolve("binkey.yaml");
        Files.writeString(cfg, "node: { name: fw1 }\nsync: { local: 127.0.0.1, peer: 127.0.0.2, key-file: " + key + " }\n");
        HactlCommandTest.Run k = HactlCommandTest.run("config", "check", "--config", cfg.toString());
        assertThat(k.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(k.err().strip()).isEqualTo(cfg + ": sync.key-file: sync key file " + key + " is not text (a binary file?):"
                + " it must hold the key in hexadecimal, as 'hactl keygen' writes it");
    }
}

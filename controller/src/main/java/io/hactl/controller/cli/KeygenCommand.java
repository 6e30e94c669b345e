package io.hactl.controller.cli;

import io.hactl.sync.wire.KeyFile;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hactl keygen [FILE]}: a new random sync key, mode 0600; never overwrites. */
@Command(name = "keygen", description = "Write a new random sync key (256 bits, mode 0600). Copy the same file to both gateways.")
public final class KeygenCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "FILE", defaultValue = "/etc/hactl/sync.key",
            description = "Where to write it (default: ${DEFAULT-VALUE}); an existing file is never overwritten.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            KeyFile.generate(file);
            byte[] key = KeyFile.load(file);
            spec.commandLine().getOut().printf("wrote %s (fingerprint %s); copy it to the peer with the same mode%n", file,
                    KeyFile.fingerprint(key));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("hactl: " + file + " exists; remove it first to replace the pair's key");
        } catch (IOException | KeyFile.KeyFileException e) {
            spec.commandLine().getErr().println("hactl: cannot write " + file + ": " + e.getMessage());
        }
        spec.commandLine().getErr().flush();
        return ExitCodes.FAILED;
    }
}

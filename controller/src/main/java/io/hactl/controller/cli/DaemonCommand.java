package io.hactl.controller.cli;

import io.hactl.controller.config.ConfigException;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.config.SyncAddressCheck;
import io.hactl.controller.daemon.Daemon;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hactl daemon}: run the daemon in the foreground until SIGTERM or SIGINT; exits 0 after
 * that clean stop, 1 when it refuses to start (the reason on standard error).
 */
@Command(name = "daemon", description = "Run the hactl daemon in the foreground (systemd runs it so).")
public final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/hactl/hactl.yaml",
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // first: a stop requested while starting is kept and honoured once started
        StopSignals signals = StopSignals.install();
        HactlConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("hactl daemon: refusing to start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        List<String> unusable = SyncAddressCheck.problems(c.sync());
        if (!unusable.isEmpty()) {
            spec.commandLine().getErr().println("hactl daemon: refusing to start: " + config + ": "
                    + String.join("; ", unusable));
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        Daemon d;
        try {
            d = Daemon.start(c, true);
        } catch (Exception e) {
            spec.commandLine().getErr().println("hactl daemon: refusing to start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        // other ends of the JVM (SIGHUP, an exit from elsewhere) still close the daemon
        Thread hook = new Thread(d::close, "hactl-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String signal = signals.await();
        spec.commandLine().getErr().println("hactl daemon: " + signal + ", stopping");
        spec.commandLine().getErr().flush();
        d.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        return ExitCodes.OK;
    }
}

package dev.pgferry.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server started from the io.zonky.test.postgres binaries, bound to 127.0.0.1
 * on a free port with wal_level=logical, for the tests and the demo profile.
 *
 * <p>initdb refuses to run as root, so when the JVM runs as root the server runs as an
 * unprivileged operating system user ({@code postgres} unless -Dpgferry.embedded.os-user says
 * otherwise) through runuser. Authentication over TCP is scram-sha-256 with the given password,
 * as on a real server.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String SUPERUSER = "postgres";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final int major;
    private final String password;
    private final Path install;
    private final Path home;
    private final Path dataDir;
    private final int port;
    private volatile boolean running;

    private EmbeddedPostgres(int major, String password, Path install, Path home, int port) {
        this.major = major;
        this.password = password;
        this.install = install;
        this.home = home;
        this.dataDir = home.resolve("data");
        this.port = port;
    }

    /** Initializes and starts a new server of that major version (15, 18 ...). */
    public static EmbeddedPostgres start(int major, String password) {
        return start(major, password, Map.of());
    }

    /** The same, with settings that override the defaults (e.g. wal_level = replica for a test). */
    public static EmbeddedPostgres start(int major, String password, Map<String, String> settings) {
        try {
            Path workRoot = workRoot();
            Path install = EmbeddedPostgresBinaries.install(major, workRoot);
            Path home = Files.createTempDirectory(workRoot, "pg" + major + "-" + SEQUENCE.incrementAndGet() + "-");
            EmbeddedPostgres server = new EmbeddedPostgres(major, password, install, home, freePort());
            server.initialize(settings);
            server.startServer();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop-postgres-" + server.port));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("could not start embedded PostgreSQL " + major + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting embedded PostgreSQL " + major, e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public int major() {
        return major;
    }

    public String superuser() {
        return SUPERUSER;
    }

    public String password() {
        return password;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** Stops the server with a fast shutdown; its data stays for {@link #startAgain()}. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            asServerUser(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
            running = false;
        } catch (IOException e) {
            throw new IllegalStateException("could not stop PostgreSQL on port " + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a stopped server again on the same port with the same data. */
    public synchronized void startAgain() {
        try {
            startServer();
        } catch (IOException e) {
            throw new IllegalStateException("could not restart PostgreSQL on port " + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Copies a file (a certificate, a key) into the data directory, owned by the server's user and
     * readable by it only, as the server demands of a key; returns its name there.
     */
    public String copyIntoDataDir(Path file) throws IOException {
        Path target = dataDir.resolve(file.getFileName());
        Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        giveToServerUser(target);
        return target.getFileName().toString();
    }

    /** What the server wrote to its log so far (stderr, as pg_ctl -l keeps it). */
    public String serverLog() throws IOException {
        return Files.readString(home.resolve("server.log"));
    }

    /** Replaces pg_hba.conf with these lines and reloads the configuration. */
    public void replaceHba(List<String> lines) throws IOException, InterruptedException {
        Files.writeString(dataDir.resolve("pg_hba.conf"), String.join("\n", lines) + "\n");
        asServerUser(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "reload"));
    }

    @Override
    public synchronized void close() {
        stop();
        try {
            Processes.run(List.of("rm", "-rf", home.toString()), null);
        } catch (IOException | InterruptedException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    private void initialize(Map<String, String> overrides) throws IOException, InterruptedException {
        Path pwfile = home.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        giveToServerUser(home);
        giveToServerUser(pwfile);
        asServerUser(List.of(bin("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                "--auth-host=scram-sha-256", "--auth-local=trust", "--encoding=UTF8", "--no-locale", "--no-sync"));
        Files.delete(pwfile);
        List<String> settings = List.of(
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = ''",
                "wal_level = logical",
                "max_wal_senders = 40",
                "max_replication_slots = 40",
                "max_worker_processes = 40",
                "max_logical_replication_workers = 20",
                "max_connections = 200",
                "shared_buffers = 64MB",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "log_min_messages = warning");
        List<String> conf = new ArrayList<>(settings);
        if (major >= 18) {
            conf.add("max_active_replication_origins = 40");
        }
        // later lines win in postgresql.conf
        overrides.forEach((name, value) -> conf.add(name + " = '" + value.replace("'", "''") + "'"));
        // root may write the server user's file directly; ownership stays with that user
        Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n", conf) + "\n",
                StandardOpenOption.APPEND);
    }

    private void startServer() throws IOException, InterruptedException {
        asServerUser(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-l", home.resolve("server.log").toString(),
                "-w", "-t", "60", "start"));
        running = true;
    }

    private String bin(String program) {
        return install.resolve("bin").resolve(program).toString();
    }

    private void asServerUser(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (RunAs.isRoot()) {
            full.addAll(List.of("runuser", "-u", RunAs.serverUser(), "--"));
        }
        full.addAll(command);
        Processes.run(full, Map.of("LC_ALL", "C"));
    }

    private static void giveToServerUser(Path path) throws IOException {
        if (RunAs.isRoot()) {
            UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(RunAs.serverUser());
            Files.setOwner(path, owner);
        }
    }

    private static Path workRoot() throws IOException {
        Path root = Paths.get(System.getProperty("java.io.tmpdir"), "pgferry-embedded");
        Files.createDirectories(root);
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        return root;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

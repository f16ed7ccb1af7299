package dev.gatehouse.decisionlog;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file that is rotated by size: before a line would take {@code file} past {@code maxSize} bytes,
 * {@code file.N-2} becomes {@code file.N-1} (the oldest is deleted), …, {@code file} becomes
 * {@code file.1}, and a new {@code file} is started; {@code maxFiles} files are kept in all. Appends to
 * an existing file at start. Used by the writer thread only.
 */
final class RotatingFile implements DecisionLog.Sink {

    private final Path file;
    private final long maxSize;
    private final int maxFiles;
    private OutputStream out;
    private long size;

    RotatingFile(Path file, long maxSize, int maxFiles) throws IOException {
        this.file = file.toAbsolutePath();
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
        Path dir = this.file.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
    }

    private void open() throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), 64 * 1024);
        size = Files.size(file);
    }

    @Override
    public void write(byte[] line, int length) throws IOException {
        if (size > 0 && size + length > maxSize) {
            rotate();
        }
        out.write(line, 0, length);
        size += length;
    }

    private void rotate() throws IOException {
        out.close();
        if (maxFiles == 1) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(numbered(maxFiles - 1));
            for (int i = maxFiles - 2; i >= 1; i--) {
                Path from = numbered(i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path numbered(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

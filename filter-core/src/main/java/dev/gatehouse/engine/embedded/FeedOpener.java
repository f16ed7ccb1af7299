package dev.gatehouse.engine.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Finds the bytes of one feed: the operator's URL, else the operator's data directory, else the
 * bundled copy. Gzip is recognised by its magic bytes, so {@code name} and {@code name.gz} both work
 * wherever the file comes from.
 */
final class FeedOpener {

    static final String BUNDLE = "/dev/gatehouse/data/";

    private final Path directory;
    private final Map<String, URI> urls;
    private final HttpClient http;
    private final Duration httpTimeout;

    FeedOpener(Path directory, Map<String, URI> urls, HttpClient http, Duration httpTimeout) {
        this.directory = directory;
        this.urls = Map.copyOf(urls);
        this.http = http;
        this.httpTimeout = httpTimeout;
    }

    /** An opened feed: its stream (already gunzipped), where it came from and its date when the origin tells. */
    record Opened(InputStream stream, String origin, Instant modified, boolean bundled) {}

    /** Whether this feed has an operator-given origin (URL or a file in the data directory). */
    boolean hasOverride(DataSet.Feed feed) {
        return urls.containsKey(feed.key()) || localFile(feed) != null;
    }

    Opened open(DataSet.Feed feed, boolean bundledOnly) throws IOException {
        if (!bundledOnly) {
            URI url = urls.get(feed.key());
            if (url != null) {
                return fetch(url);
            }
            Path file = localFile(feed);
            if (file != null) {
                return new Opened(decompress(Files.newInputStream(file)), file.toString(),
                        Files.getLastModifiedTime(file).toInstant(), false);
            }
        }
        return bundled(feed.path());
    }

    static Opened bundled(String path) throws IOException {
        for (String name : new String[] {path, path + ".gz"}) {
            InputStream in = FeedOpener.class.getResourceAsStream(BUNDLE + name);
            if (in != null) {
                return new Opened(decompress(in), "bundled:" + name, null, true);
            }
        }
        throw new IOException("bundled data file " + path + " is missing from the jar");
    }

    private Path localFile(DataSet.Feed feed) {
        if (directory == null) {
            return null;
        }
        for (String name : new String[] {feed.path(), feed.path() + ".gz"}) {
            Path p = directory.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private Opened fetch(URI url) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(httpTimeout)
                .header("User-Agent", "Gatehouse-embedded-engine (data refresh)").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("HTTP " + response.statusCode() + " from " + url);
        }
        Instant modified = response.headers().firstValue("Last-Modified").map(FeedOpener::httpDate).orElse(null);
        return new Opened(decompress(response.body()), url.toString(), modified, false);
    }

    private static Instant httpDate(String value) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Largest feed accepted after decompression: ten times the biggest vendor file, and a stop for gzip bombs. */
    static final long MAX_FEED_BYTES = 256L << 20;

    static InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        InputStream plain = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
        return new BufferedInputStream(new Limited(plain, MAX_FEED_BYTES), 1 << 16);
    }

    /** Fails the read once more than {@code max} bytes came through. */
    private static final class Limited extends java.io.FilterInputStream {
        private final long max;
        private long count;

        Limited(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) throws IOException {
            count += n;
            if (count > max) {
                throw new IOException("feed larger than " + (max >> 20) + " MB");
            }
        }
    }
}

package dev.gatehouse.proxy.cli;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.DecisionJson;
import dev.gatehouse.api.Signals;
import dev.gatehouse.engine.provider.ProviderSettings;
import dev.gatehouse.engine.provider.Providers;
import dev.gatehouse.net.IpAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What {@code lookup --provider} and {@code prewarm} share: one provider built from flags, errors as one line. */
final class ProviderCommands {

    private ProviderCommands() {
    }

    /** Settings from the flags; the key from {@code --api-key}, else the variable {@code NAME_API_KEY} when set. */
    static ProviderSettings settings(String provider, String baseUrl, String apiKey, Duration timeout) {
        ProviderSettings.Builder b = ProviderSettings.builder(provider)
                .when(ProviderSettings.When.ALWAYS).timeout(timeout).callTimeout(timeout).quotaPerHour(0).quotaPerDay(0);
        String variable = provider.toUpperCase(Locale.ROOT) + "_API_KEY";
        if (apiKey != null) {
            b.apiKey(apiKey);
        } else if (System.getenv(variable) != null) {
            b.apiKeyEnv(variable);
        }
        if (baseUrl != null) {
            b.baseUrl(baseUrl);
        }
        return b.build();
    }

    static int lookup(CliEnvironment env, IpAddress ip, String provider, String baseUrl, String apiKey, Duration timeout) {
        ProviderSettings settings;
        try {
            settings = settings(provider, baseUrl, apiKey, timeout);
        } catch (IllegalArgumentException | IllegalStateException e) {
            env.err().println("error: " + e.getMessage());
            return 2;
        }
        try (Providers providers = Providers.create(List.of(settings), Providers.httpClient(), env.clock(), Ticker.systemTicker(),
                new SimpleMeterRegistry())) {
            Signals signals = providers.ask(provider, ip).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            env.out().println(DecisionJson.pretty(DecisionJson.signals(signals, env.clock().instant())));
            return 0;
        } catch (ExecutionException e) {
            env.err().println("error: " + (e.getCause() == null ? e : e.getCause().getMessage()));
            return 1;
        } catch (TimeoutException e) {
            env.err().println("error: " + provider + " did not answer within " + timeout.toSeconds() + " s");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}

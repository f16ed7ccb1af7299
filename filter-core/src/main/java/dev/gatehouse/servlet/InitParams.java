package dev.gatehouse.servlet;

import dev.gatehouse.settings.GatehouseSettings;
import dev.gatehouse.settings.SettingsBinder;
import dev.gatehouse.settings.SettingsSources;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The filter's init-params: the same keys as {@code gatehouse.yaml} ({@code docs/configuration.md}),
 * nested keys dotted ({@code data.refresh}, {@code rate-limit.max-keys}), lists comma- or
 * space-separated. A thin front end: {@link SettingsBinder} checks everything, and an unknown
 * parameter is an error with a did-you-mean, because a misspelt {@code trusted-proxies} silently
 * trusting nobody is exactly the kind of mistake operators never notice.
 */
final class InitParams {

    private InitParams() {
    }

    /**
     * @param warnings where deprecation warnings go (an old spelling such as {@code budget-ms})
     * @throws dev.gatehouse.settings.SettingsException naming each bad parameter, its value and the rule
     */
    static GatehouseSettings parse(Map<String, String> params, Consumer<String> warnings) {
        return SettingsBinder.bind(SettingsSources.flat(params, name -> "init-param '" + name + "'", "init-params"), List.of(), warnings);
    }
}

package dev.pgferry.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgferry.demo.SampleSchema;
import dev.pgferry.embedded.EmbeddedPostgres;
import dev.pgferry.testing.Db;
import dev.pgferry.testing.PgferryApp;
import dev.pgferry.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromium-driver, installed by
 * .ci/run): log in, watch a mapping go from COPYING to STREAMING without reloading, open the
 * drill-down with its lag chart. Screenshots go to target/browser-screenshots/.
 */
class DashboardBrowserIT {

    private static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private final EmbeddedPostgres source = TestServers.source();
    private final EmbeddedPostgres destination = TestServers.destination();
    private WebDriver browser;

    @BeforeEach
    void startBrowser() throws Exception {
        assertThat(Path.of(CHROMIUM)).as("Debian package chromium (installed by .ci/run)").isExecutable();
        assertThat(Path.of(CHROMEDRIVER)).as("Debian package chromium-driver (installed by .ci/run)").isExecutable();
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", "--user-data-dir=" + Files.createTempDirectory("pgferry-chromium"));
        // the browser's console, to see that the Content-Security-Policy refused nothing pgferry needs
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(Path.of(CHROMEDRIVER)
                .toFile()).build(), options);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            try {
                List<String> refused = browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                        .getAll().stream().map(org.openqa.selenium.logging.LogEntry::getMessage)
                        .filter(message -> message.contains("Content Security Policy")).toList();
                assertThat(refused).as("what the Content-Security-Policy refused on pgferry's pages").isEmpty();
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void anOperatorWatchesAMigrationStreamWithoutReloading() throws Exception {
        Db.execute(source, "postgres", "CREATE DATABASE browser_shop");
        try (Connection c = Db.connect(source, "browser_shop")) {
            SampleSchema.create(c, 2_000);
            // enough rows that the initial copy lasts a few refreshes of the page
            c.createStatement().execute("CREATE TABLE bulk (id bigint PRIMARY KEY, payload text); "
                    + "INSERT INTO bulk SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 1500000) g");
        }
        // someone else's database of the same name on the destination blocks it until it is gone
        Db.execute(destination, "postgres", "CREATE DATABASE browser_shop");
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("browser", "src", "dst", "browser_shop", "plan")
                // the snapshot copy held to 10 MB/s: long enough to be watched page by page
                .property("pgferry.mappings.browser.copy-max-rate", "10MB")
                .property("pgferry.mappings.browser.allow-freeze", "true")
                .property("pgferry.poll-interval", "1s")
                .property("pgferry.dashboard-refresh", "500ms").start()) {
            String base = "http://127.0.0.1:" + app.port();
            logIn(base, PgferryApp.OPERATOR, PgferryApp.OPERATOR_PASSWORD);

            // BLOCKED, PLANNED once the other database is gone, started, then each phase: every page's
            // badges agree
            watchPhases("tr[data-mapping=browser] .phase", "BLOCKED", Duration.ofMinutes(1));
            badgesAgree(base, "browser", "browser_shop", "blocked");
            Db.execute(destination, "postgres", "DROP DATABASE browser_shop WITH (FORCE)");
            browser.get(base + "/");
            watchPhases("tr[data-mapping=browser] .phase", "PLANNED", Duration.ofMinutes(1));
            badgesAgree(base, "browser", "browser_shop", "planned");
            browser.get(base + "/mappings/browser");
            clickPolled(By.id("start"));
            wait(Duration.ofSeconds(30)).until(ExpectedConditions.alertIsPresent()).accept();
            browser.get(base + "/");

            List<String> phases = watchPhases("tr[data-mapping=browser] .phase", "COPYING", Duration.ofMinutes(3));
            badgesAgree(base, "browser", "browser_shop", "copying");
            browser.get(base + "/");
            // the overview's row shows the copy's progress and, once its rate is known, the time left
            WebDriverWait overview = new WebDriverWait(browser, Duration.ofSeconds(60));
            overview.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            overview.until(d -> d.findElements(By.cssSelector("tr[data-mapping=browser] td.copy .time-left")).stream()
                    .anyMatch(e -> e.getText().matches("about .+ left")));
            screenshot("overview-copying");
            // into the drill-down while the copy runs: the mapping's databases with their copy progress
            clickPolled(By.cssSelector("tr[data-mapping=browser] a"));
            // the polled parts are replaced every few seconds: an element found a moment ago may be gone
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            wait.until(d -> !d.findElements(By.id("detail")).isEmpty());
            wait.until(d -> !d.findElements(By.cssSelector("tr[data-database=browser_shop] td.copy progress")).isEmpty());
            screenshot("mapping-copying");
            // then the database: schemas, tables, per-table progress bars
            clickPolled(By.cssSelector("tr[data-database=browser_shop] a"));
            wait.until(d -> !d.findElements(By.id("database")).isEmpty());
            ((JavascriptExecutor) browser).executeScript("window.pgferryNoReload = true;");
            String progress = "tbody.schema[data-schema=public] tr.table-row td.copy progress";
            wait.until(d -> !d.findElements(By.cssSelector(progress)).isEmpty());
            // looked up in the page itself: a poll may have replaced the element found a moment ago
            ((JavascriptExecutor) browser).executeScript("var p = document.querySelector(arguments[0]);"
                    + " if (p) { p.scrollIntoView({block: 'center'}); }", progress);
            screenshot("database-copying");
            phases.addAll(watchPhases("#database h1 .phase", "STREAMING", Duration.ofMinutes(3)));
            // streaming (not READY before its conditions held long enough): checked on this page, which must
            // not be reloaded
            new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(
                    org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
                        badgesAgreeOnThisPage("streaming database page", "streaming", "/mappings/browser/database");
                        return true;
                    });
            screenshot("phases-streaming-database");
            phases.addAll(watchPhases("#database h1 .phase", "READY", Duration.ofMinutes(3)));
            assertThat(phases).as("phases the pages showed by themselves").contains("COPYING");
            assertThat(phases.indexOf("COPYING")).isLessThan(Math.max(phases.indexOf("STREAMING"),
                    phases.indexOf("READY")));
            assertThat(((JavascriptExecutor) browser).executeScript("return window.pgferryNoReload === true;"))
                    .as("the drill-down was never reloaded").isEqualTo(true);
            wait.until(d -> !d.findElements(By.cssSelector(".lag-chart svg polyline.lag-line")).isEmpty());
            assertThat(browser.findElements(By.cssSelector("[data-database=browser_shop] tr.partition"))).hasSize(3);
            screenshot("database-ready");
            badgesAgree(base, "browser", "browser_shop", "ready");

            // back on the overview: the copy is done, the worst lag has its trend line
            browser.get(base + "/");
            wait.until(d -> !d.findElements(By.cssSelector("tr[data-mapping=browser] td.lag svg.spark polyline"))
                    .isEmpty());
            assertThat(browser.findElement(By.cssSelector("tr[data-mapping=browser] td.copy")).getText()).isEqualTo("—");
            screenshot("overview-ready");
            browser.get(base + "/mappings/browser/database?name=browser_shop");
            wait.until(d -> !d.findElements(By.id("database")).isEmpty());

            // an operator completes the mapping from its cutover page, after confirming
            browser.findElement(By.cssSelector("main > p a[href='/mappings/browser']")).click();
            wait.until(d -> !d.findElements(By.id("detail")).isEmpty());
            screenshot("mapping-ready");
            clickPolled(By.id("cutover-steps"));
            wait.until(d -> !d.findElements(By.cssSelector("#cutover li[data-step=freeze]")).isEmpty());
            wait.until(d -> d.findElement(By.cssSelector("li[data-step=freeze]")).getText()
                    .contains("default_transaction_read_only = on"));
            // what an operator types into a form of the polled checklist stays through its refreshes
            WebElement margin = browser.findElement(By.id("margin"));
            margin.clear();
            margin.sendKeys("25");
            WebElement checklist = browser.findElement(By.id("cutover"));
            wait.until(ExpectedConditions.stalenessOf(checklist));
            wait.until(d -> !d.findElements(By.cssSelector("#cutover li[data-step=freeze]")).isEmpty());
            assertThat(browser.findElement(By.id("margin")).getDomProperty("value")).as("after a refresh")
                    .isEqualTo("25");
            wait.until(d -> d.findElements(By.id("complete")).stream().anyMatch(WebElement::isEnabled));
            screenshot("cutover-ready");
            // frozen: the freeze step says who froze, the badges still agree
            clickPolled(By.id("freeze"));
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(d -> !d.findElements(By.id("frozen")).isEmpty());
            badgesAgree(base, "browser", "browser_shop", "frozen");
            browser.get(base + "/mappings/browser/cutover");
            wait.until(d -> d.findElements(By.id("complete")).stream().anyMatch(WebElement::isEnabled));
            clickPolled(By.id("complete"));
            Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
            assertThat(confirm.getText()).contains("Mark this mapping complete?");
            confirm.accept();
            wait.until(d -> d.findElements(By.cssSelector("p.notice")).stream()
                    .anyMatch(e -> e.getText().contains("marked complete")));
            app.awaitPhase("browser", "COMPLETE", Duration.ofSeconds(30));
            watchPhases("#cutover h1 .phase", "COMPLETE", Duration.ofSeconds(30));
            // the summary tells the freeze pgferry did, by whom
            wait.until(d -> d.findElements(By.cssSelector("#completion li[data-step=freeze]")).stream()
                    .anyMatch(e -> e.getText().contains("done by " + PgferryApp.OPERATOR)));
            screenshot("cutover-complete");
            badgesAgree(base, "browser", "browser_shop", "complete");
            app.api().post().uri("/api/mappings/browser/unfreeze").retrieve().toBodilessEntity();
        }
    }

    @Test
    void aViewerSeesNoActions() throws Exception {
        try (PgferryApp app = new PgferryApp().instance("src", source).instance("dst", destination)
                .mapping("viewonly", "src", "dst", "not_there", "plan").start()) {
            String base = "http://127.0.0.1:" + app.port();
            logIn(base, PgferryApp.VIEWER, PgferryApp.VIEWER_PASSWORD);
            browser.get(base + "/mappings/viewonly");
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("detail")).isDisplayed());
            assertThat(browser.findElements(By.id("complete"))).isEmpty();
            assertThat(browser.findElements(By.id("start"))).isEmpty();
            screenshot("viewer-drill-down");
            browser.get(base + "/mappings/viewonly/cutover");
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("cutover")).isDisplayed());
            assertThat(browser.findElements(By.cssSelector("#cutover button"))).isEmpty();
            screenshot("viewer-cutover");

            // the database is BLOCKED (it is not on the source): its row links the servers' checklist
            browser.get(base + "/mappings/viewonly");
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> !d.findElements(
                    By.cssSelector("tr[data-database='not_there'] a.prepare")).isEmpty());
            clickPolled(By.cssSelector("tr[data-database='not_there'] a.prepare"));
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.getCurrentUrl()
                    .endsWith("/mappings/viewonly/preparation"));
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Preparing the servers of viewonly");
            assertThat(browser.findElements(By.cssSelector("section.server"))).extracting(e -> e.getAttribute(
                    "data-side")).containsExactly("source", "destination");
            // the test servers are fit for the migration: their settings are ticked
            assertThat(browser.findElement(By.xpath("//tr[.//code[starts-with(., 'ALTER SYSTEM SET wal_level')]]"))
                    .getAttribute("class")).contains("met").doesNotContain("unmet");
            screenshot("preparation");
        }
    }

    private WebDriverWait wait(Duration atMost) {
        WebDriverWait wait = new WebDriverWait(browser, atMost);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    /**
     * On the overview, the mapping's page, its database's page and its cutover page: a finished
     * phase shows no readiness light, a green light only beside READY (or a rollback-ready
     * SWITCHED), READY only with a green light; and once complete, no step pgferry does claims to
     * be done without its record ("done by ..."). Screenshots of each page as {@code name}.
     */
    private void badgesAgree(String base, String mapping, String database, String name) throws Exception {
        for (String page : List.of("/", "/mappings/" + mapping, "/mappings/" + mapping + "/database?name=" + database,
                "/mappings/" + mapping + "/cutover")) {
            browser.get(base + page);
            wait(Duration.ofSeconds(30)).until(d -> !d.findElements(By.cssSelector("main .phase")).isEmpty());
            String where = name + " " + page;
            // read again from the start when a poll replaces the part being read
            wait(Duration.ofSeconds(30)).until(d -> {
                badgesAgreeOnThisPage(where, name, page);
                return true;
            });
            screenshot("phases-" + name + "-" + (page.equals("/") ? "overview"
                    : page.substring(page.lastIndexOf('/') + 1).replaceAll("\\?.*", "")));
        }
    }

    private void badgesAgreeOnThisPage(String where, String name, String page) {
        List<WebElement> places = browser.findElements(By.cssSelector("h1, tr[data-mapping], tr[data-database]"));
        for (WebElement place : places) {
            List<WebElement> phase = place.findElements(By.cssSelector(".phase"));
            if (phase.isEmpty()) {
                continue;
            }
            String shown = phase.getFirst().getText();
            List<String> lights = place.findElements(By.cssSelector("[data-ready]")).stream()
                    .filter(e -> !"frozen".equals(e.getAttribute("id")))
                    .map(e -> e.getAttribute("data-ready")).toList();
            boolean finished = !place.findElements(By.cssSelector(".finished")).isEmpty();
            if (shown.equals("COMPLETE") || shown.equals("ROLLED_BACK")) {
                assertThat(lights).as(where + ": no readiness light once " + shown).isEmpty();
                assertThat(finished).as(where + ": says it plainly").isTrue();
            } else {
                assertThat(finished).as(where + ": not finished in " + shown).isFalse();
                assertThat(lights).as(where + ": one light beside " + shown).hasSize(1);
                if (!shown.equals("SWITCHED")) {
                    assertThat(lights.getFirst().equals("true")).as(where + ": green exactly when READY, in " + shown)
                            .isEqualTo(shown.equals("READY"));
                }
            }
        }
        if (page.endsWith("/cutover") && name.equals("complete")) {
            for (WebElement step : browser.findElements(By.cssSelector("#cutover li.step[data-state=done]"))) {
                String id = step.getAttribute("data-step");
                if (List.of("freeze", "drain", "sync-sequences", "refresh-matviews", "verify", "complete")
                        .contains(id)) {
                    assertThat(step.getText()).as(where + ": step " + id + " done only with its record")
                            .contains("done by ");
                }
            }
        }
    }

    /**
     * Clicks an element inside a part the page polls: htmx may swap it between finding and
     * clicking it, so it is found again until the click lands.
     */
    private void clickPolled(By what) {
        new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
                    d.findElement(what).click();
                    return true;
                });
    }

    private void logIn(String base, String user, String password) {
        browser.get(base + "/");
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        browser.findElement(By.name("username")).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> !d.findElements(By.id("mappings")).isEmpty()
                || !d.findElements(By.id("detail")).isEmpty());
    }

    /** Reads the phase a page shows, as htmx swaps it in, until it shows {@code until}. */
    private List<String> watchPhases(String selector, String until, Duration atMost) throws Exception {
        List<String> seen = new ArrayList<>();
        Instant deadline = Instant.now().plus(atMost);
        while (Instant.now().isBefore(deadline)) {
            String phase;
            try {
                WebElement cell = browser.findElement(By.cssSelector(selector));
                phase = cell.getText();
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                continue; // htmx swapped the panel while we read it
            }
            if (seen.isEmpty() || !seen.getLast().equals(phase)) {
                seen.add(phase);
            }
            if (phase.equals(until)) {
                return seen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the page did not show " + until + " at " + selector + "; it showed " + seen);
    }

    private void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }
}

"""The officers' daily loop in a real browser against the real server on loopback.

Sign in, open a park's leads, filter, re-rank with a weight slider, open a lead, read the
waterfall, change its status, see it on the board and move it, export XLSX, import a bad file
and see its problems, import a good one, run an allocation; then every page is photographed
at 1280×800 and at phone width (``build/screenshots/``).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from .conftest import OFFICER, SCREENSHOTS, Server, screenshot

pytestmark = pytest.mark.browser

BAD_ENTERPRISES = """\
enterprise_id,name,industry_code,employees,revenue_wan,lat,lon
W1,甲公司,3252,-5,100,34.7,113.6
W1,乙公司,99999,20,abc,95.0,113.6
"""
GOOD_ENTERPRISES = """\
企业编号,企业名称,行业代码,经营范围,主营产品,从业人员,营业收入(万元),省,市,区县,需求面积(平方米)
W-NEW-1,巩义市新铝精密制造有限公司,3252,铝型材、铝板带箔的加工与销售,铝型材、铝板,45,3200,河南省,郑州市,巩义市,2500
W-NEW-2,荥阳市轻量化部件有限公司,3670,汽车轻量化铝合金零部件制造,铝合金轮毂,60,5200,河南省,郑州市,荥阳市,4000
"""


def wait_for(driver: Any, condition: Any, timeout: float = 30.0, what: str = "") -> Any:
    """Poll ``condition(driver)`` until it is truthy."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # htmx swaps fragments at any moment: an element found a moment ago may be gone; poll again
    return WebDriverWait(
        driver,
        timeout,
        poll_frequency=0.2,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    ).until(condition, message=what)


def settled_overflow(driver: Any, timeout: float = 5.0) -> int:
    """How many pixels the page is wider than the window, once it has settled.

    Charts redraw on the window's resize event, which a loaded machine delivers late: the width
    is read again every 0.2 s until it fits or ``timeout`` passes, and the last reading is
    returned.
    """
    deadline = time.monotonic() + timeout
    while True:
        overflow = int(
            driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        )
        if overflow <= 2 or time.monotonic() > deadline:
            return overflow
        time.sleep(0.2)


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def css_all(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def text_of(driver: Any, selector: str) -> str:
    """An element's text read in one script, so a fragment swapped by htmx cannot go stale."""
    text = driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.innerText : null;", selector
    )
    assert text is not None, f"no element {selector}"
    return text


def no_error_text(driver: Any) -> None:
    body = driver.find_element("tag name", "body").text
    assert "Traceback" not in body and "Internal Server Error" not in body
    assert body.strip(), "blank page"


def rows(driver: Any) -> list[dict[str, str]]:
    """The leads table's rows, read in one script (htmx may swap the table at any moment)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#leads-table tbody tr[data-enterprise]'))"
        ".map(r => ({enterprise: r.dataset.enterprise, county: r.dataset.county,"
        " score: r.dataset.score}));"
    )


def total_of(driver: Any) -> int:
    """The count the leads table says qualified."""
    return int(driver.execute_script("return document.getElementById('leads-table').dataset.total"))


def sign_in(driver: Any, server: Server) -> None:
    driver.get(server.url("/app/"))
    css(driver, "#sign-in-link").click()
    wait_for(driver, lambda d: "/app/login" in d.current_url)
    css(driver, "#username").send_keys(OFFICER["username"])
    css(driver, "#password").send_keys(OFFICER["password"])
    css(driver, "#sign-in").click()
    wait_for(driver, lambda d: "/app/login" not in d.current_url, what="sign-in redirect")
    assert css(driver, ".who .user").text == OFFICER["name"]


def test_officer_daily_loop(browser: Any, server: Server, tmp_path: Path) -> None:
    d = browser
    # a write without signing in goes to the sign-in page
    d.get(server.url("/app/imports"))
    assert "登录" in css(d, ".msg.info").text
    sign_in(d, server)

    # --- a park's leads, filtered
    d.get(server.url("/app/parks/GY-LZ-AL/leads"))
    no_error_text(d)
    total = total_of(d)
    assert total > 100 and len(rows(d)) == 20
    county = css(d, "#f-county")
    county.send_keys("巩义市")
    css(d, "input[name=srdi_level][value=none]").click()
    css(d, "#apply-filters").click()
    wait_for(d, lambda d: "county=" in d.current_url, what="filtered URL")
    wait_for(d, lambda d: total_of(d) < total, what="filtered count")
    filtered = rows(d)
    assert filtered, "no lead in 巩义市"
    assert {r["county"] for r in filtered} == {"巩义市"}
    scores = [float(r["score"]) for r in filtered]
    assert scores == sorted(scores, reverse=True)

    # --- a weight slider re-ranks live (htmx), and the view keeps its filters
    before = [float(r["score"]) for r in rows(d)]
    slider = css(d, "#w-quality")
    d.execute_script(
        "arguments[0].value = 100; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        slider,
    )
    wait_for(d, lambda d: "w_quality=100" in d.current_url, what="slider re-rank")
    wait_for(d, lambda d: "自定义权重" in text_of(d, "#result-count"))
    after = [float(r["score"]) for r in rows(d)]
    assert {r["county"] for r in rows(d)} == {"巩义市"}
    assert after != before and after == sorted(after, reverse=True)
    d.execute_script(  # a second slider after the first: still live
        "arguments[0].value = 0; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        css(d, "#w-location"),
    )
    wait_for(d, lambda d: "w_location=0" in d.current_url, what="second slider re-rank")
    assert "w_quality=100" in d.current_url
    d.get(server.url("/app/parks/GY-LZ-AL/leads?county=巩义市&srdi_level=none"))
    screenshot(d, "leads-filtered")

    # --- open a lead, read the waterfall
    enterprise_id = rows(d)[0]["enterprise"]
    css(d, f"tr[data-enterprise='{enterprise_id}'] a.lead-link").click()
    wait_for(d, lambda d: css_all(d, "#waterfall[data-ready]"), what="waterfall drawn")
    no_error_text(d)
    option = d.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('waterfall'));"
        "return c.getOption().xAxis[0].data;"
    )
    assert option[0] == "基线" and option[-1] == "总分" and len(option) >= 4
    values = [
        float(td.get_attribute("data-value")) for td in css_all(d, "#contributions [data-value]")
    ]
    baseline, parts, score = values[0], values[1:-1], values[-1]
    assert math.isclose(baseline + sum(parts), score, abs_tol=1e-6)
    assert math.isclose(float(css(d, "#score").text), score, abs_tol=0.051)
    assert css_all(d, "#reasons li")
    assert text_of(d, "#current-status") == "未跟进"

    # --- change its status from the tracking panel
    from selenium.webdriver.support.ui import Select

    Select(css(d, "#t-status")).select_by_visible_text("已联系")
    owner = css(d, "#t-owner")
    owner.clear()
    owner.send_keys("张三")
    css(d, "#t-note").send_keys("电话联系，约下周走访")
    css(d, "#save-status").click()
    wait_for(d, lambda d: css_all(d, "#saved"), what="saved message")
    assert text_of(d, "#current-status") == "已联系"
    history = d.execute_script(
        "return Array.from(document.querySelectorAll('#history li')).map(li => li.innerText);"
    )
    assert len(history) == 1 and "已联系" in history[0]
    assert text_of(d, "#history .actor") == OFFICER["name"]  # the signed-in officer
    screenshot(d, "lead-detail")
    lead_url = d.current_url.split("?")[0]

    # --- on the board, under 已联系; move it to 已走访 with the keyboard-friendly control
    d.get(server.url("/app/board?owner=张三"))
    card_id = f"card-GY-LZ-AL-{enterprise_id}"
    card = css(d, f"#{card_id}")
    assert (
        d.execute_script(
            "return document.getElementById(arguments[0]).closest('section').dataset.status;",
            card_id,
        )
        == "contacted"
    )
    Select(card.find_element("css selector", "select")).select_by_visible_text("已走访")
    card.find_element("css selector", "button").click()
    column_of = "var c = document.getElementById(arguments[0]); return c && c.closest('section').dataset.status;"
    wait_for(d, lambda d: d.execute_script(column_of, card_id) == "visited", what="card moved")
    assert "moved" in css(d, f"#{card_id}").get_attribute("class")
    screenshot(d, "board")
    d.get(lead_url)
    assert text_of(d, "#current-status") == "已走访"
    assert len(css_all(d, "#history li")) == 2  # the move wrote history

    # --- export the filtered view to XLSX (a real download)
    d.get(server.url("/app/parks/GY-LZ-AL/leads?county=巩义市&srdi_level=none"))
    shown = [r["enterprise"] for r in rows(d)]
    css(d, "#export-xlsx").click()
    downloads: Path = d.downloads
    wait_for(
        d,
        lambda _d: [p for p in downloads.glob("*.xlsx") if p.stat().st_size > 0],
        what="XLSX downloaded",
    )
    time.sleep(0.5)
    path = next(downloads.glob("*.xlsx"))
    with path.open("rb") as fh:
        table = list(load_workbook(fh).active.iter_rows(values_only=True))
    header = list(table[0])
    assert header[:3] == ["排名", "企业编号", "企业名称"]
    assert [r[1] for r in table[1:]] == shown
    assert {r[header.index("区县")] for r in table[1:]} == {"巩义市"}

    # --- import a bad file: every problem in a table, nothing written
    bad = tmp_path / "企业-有误.csv"
    bad.write_text(BAD_ENTERPRISES, encoding="utf-8")
    d.get(server.url("/app/imports"))
    Select(css(d, "#i-kind")).select_by_value("enterprises")
    css(d, "#i-file").send_keys(str(bad))
    css(d, "#import-check").click()
    wait_for(d, lambda d: css_all(d, "#problems"), what="problems table")
    problems = css_all(d, "#problems tbody tr")
    assert len(problems) >= 4
    text = css(d, "#problems").text
    assert "employees" in text and "industry_code" in text and "lat" in text
    assert {p.find_elements("css selector", "td")[0].text for p in problems} >= {"2", "3"}
    screenshot(d, "import-problems")
    with httpx.Client(base_url=server.base) as http:
        assert http.get("/enterprises/W1").status_code == 404

    # --- import a good one: check, then import
    good = tmp_path / "企业-新增.csv"
    good.write_text(GOOD_ENTERPRISES, encoding="utf-8")
    d.get(server.url("/app/imports"))
    Select(css(d, "#i-kind")).select_by_value("enterprises")
    css(d, "#i-file").send_keys(str(good))
    css(d, "#import-check").click()
    wait_for(d, lambda d: css_all(d, "#import-result"))
    assert "检查通过" in text_of(d, "#import-result")
    css(d, "#i-file").send_keys(str(good))
    css(d, "#import-run").click()
    wait_for(d, lambda d: "已导入" in text_of(d, "#import-result"), what="imported")
    assert "新增 2 行" in text_of(d, "#import-result")
    with httpx.Client(base_url=server.base) as http:
        assert http.get("/enterprises/W-NEW-1").json()["county"] == "巩义市"

    # --- run an allocation over three parks
    d.get(server.url("/app/allocation"))
    for park in ("GY-LZ-AL", "SJ-TH", "ZM-QP"):
        css(d, f"input[name=park_ids][value='{park}']").click()
    css(d, "#a-max").send_keys("2")
    css(d, "#run-allocation").click()
    wait_for(d, lambda d: css_all(d, "#allocation-result"), timeout=90, what="allocation")
    no_error_text(d)
    sections = css_all(d, "#allocation-result section[data-park]")
    assert {s.get_attribute("data-park") for s in sections} == {"GY-LZ-AL", "SJ-TH", "ZM-QP"}
    reasons = css_all(d, ".allocation-reason")
    assert 1 <= len(reasons) <= 6 and all(r.text.strip() for r in reasons)
    assert int(css(d, "#n-assigned").text) == len(reasons)
    screenshot(d, "allocation")


def test_every_page_at_both_widths(browser: Any, server: Server) -> None:
    d = browser
    pages = {
        "login": "/app/login",
        "overview": "/app/",
        "leads": "/app/parks/GY-LZ-AL/leads",
        "board": "/app/board",
        "enterprises": "/app/enterprises?q=铝",
        "enterprise": "/app/enterprises/E000123",
        "match": "/app/match",
        "chain": "/app/parks/GY-LZ-AL/chain",
        "allocation-form": "/app/allocation",
        "imports": "/app/imports",
        "models": "/app/models",
        "not-found": "/app/parks/NO-SUCH-PARK/leads",
    }
    for name, path in pages.items():
        d.get(server.url(path))
        no_error_text(d)
        if name == "overview":
            wait_for(d, lambda d: css_all(d, "#park-map[data-ready]"), what="map drawn")
            canvas = css(d, "#park-map canvas")
            assert canvas.size["width"] > 200
        if name == "chain":
            wait_for(d, lambda d: css_all(d, "#chain-graph[data-ready]"), what="graph drawn")
        if name == "not-found":
            assert css(d, "#error-page").get_attribute("data-status") == "404"
            assert "NO-SUCH-PARK" in css(d, "#error-page").text
        # nothing wider than the phone screen except inside scrollable tables and the board
        for path_ in screenshot(d, name):
            assert path_.stat().st_size > 5000
        d.set_window_size(390, 844)
        overflow = settled_overflow(d)
        assert overflow <= 2, f"{name}: page wider than a phone screen by {overflow}px"
        d.set_window_size(1280, 800)
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 2 * len(pages)


def test_keyboard_reaches_the_leads_and_opens_one(browser: Any, server: Server) -> None:
    from selenium.webdriver.common.keys import Keys

    d = browser
    d.get(server.url("/app/parks/GY-LZ-AL/leads"))
    body = css(d, "body")
    body.send_keys(Keys.TAB)
    assert d.switch_to.active_element.text == "跳到正文"
    seen = []
    for _ in range(200):
        d.switch_to.active_element.send_keys(Keys.TAB)
        el = d.switch_to.active_element
        if "lead-link" in (el.get_attribute("class") or ""):
            break
        seen.append(el.tag_name)
    else:
        pytest.fail(f"Tab never reached a lead: {seen[-10:]}")
    target = el.get_attribute("href")
    el.send_keys(Keys.ENTER)
    wait_for(d, lambda d: d.current_url == target)
    assert css(d, "h1").text

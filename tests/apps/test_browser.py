"""End to end in headless Chromium (Debian's `chromium` + `chromium-driver`): rows, sign-in, watchlist, playback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.apps.conftest import Server, chromium


@pytest.fixture
def browser() -> Iterator[Any]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


def test_a_viewer_sees_rows_signs_in_adds_to_the_watchlist_and_plays_a_video(server: Server, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    # GIVEN the page served by `python -m apps.streaming`
    browser.get(server.base + "/")
    # THEN the rows of posters appear
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-row-id="trending"] .poster')))
    row_ids = [el.get_attribute("data-row-id") for el in browser.find_elements(By.CSS_SELECTOR, "#rows .row")]
    assert row_ids[:2] == ["trending", "top-rated"] and "genre:drama" in row_ids
    assert len(browser.find_elements(By.CSS_SELECTOR, '[data-row-id="top-rated"] .poster')) == 6
    # WHEN the viewer registers and signs in
    browser.find_element(By.ID, "login-email").send_keys("browser@example.com")
    browser.find_element(By.ID, "login-password").send_keys("a long enough password")
    browser.find_element(By.ID, "register-button").click()
    wait.until(ec.visibility_of_element_located((By.ID, "account")))
    assert browser.find_element(By.ID, "account-email").text == "browser@example.com"
    # AND opens Aurora and adds it to My List
    browser.find_element(By.CSS_SELECTOR, '[data-row-id="top-rated"] .poster[data-title-id="aurora"]').click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "detail-title"), "Aurora"))
    browser.find_element(By.ID, "watchlist-button").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '#watchlist-items .poster[data-title-id="aurora"]')))
    assert browser.find_element(By.ID, "watchlist-button").get_attribute("data-in-list") == "true"
    # AND presses play
    browser.find_element(By.ID, "play-button").click()
    # THEN the video plays: its currentTime advances
    wait.until(lambda d: d.execute_script("return document.getElementById('video').currentTime") > 0.5)
    state = browser.execute_script(
        "const v = document.getElementById('video');"
        "return {src: v.currentSrc, error: v.error && v.error.code, paused: v.paused, duration: v.duration};"
    )
    assert "/media/seed/forest.webm?expires=" in state["src"]
    assert state["error"] is None and state["duration"] > 3
    assert browser.find_element(By.ID, "message").text == "Signed in as browser@example.com"
    # AND the watchlist survives a reload (the session is kept)
    browser.refresh()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '#watchlist-items .poster[data-title-id="aurora"]')))

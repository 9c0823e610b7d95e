# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fixtures under tests/unit/fixtures/vendor/ are the vendor page's six examples, byte for byte.

Parser tests and the simulator's own tests read those fixtures; this test ties
them to the page itself, so neither can drift into shapes that merely suit our
parser. The page lives beside the repository (``../shared/seeds/``, as in CI)
or where ``CSOFT_VENDOR_PAGE`` points. ``ansible-test units`` runs a copy of the
checkout elsewhere and passes none of our variables: scripts/lib/ansible_test.sh
puts the page into the copy's ``tests/output/vendor-page/``. Without it the test
is skipped, saying where it looked.
"""

import os
import re

import pytest

from ansible_collections.csoft.sms.tests.support.vendor import vendor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = "account-query-soap-api.txt"
CANDIDATES = (
    [os.environ["CSOFT_VENDOR_PAGE"]]
    if os.environ.get("CSOFT_VENDOR_PAGE")
    else [os.path.join(os.path.dirname(ROOT), "shared", "seeds", NAME), os.path.join(ROOT, "tests", "output", "vendor-page", NAME)]
)
PAGE = next((path for path in CANDIDATES if os.path.isfile(path)), CANDIDATES[0])

# The page's examples in the order it shows them.
ORDER = ("credit_request", "credit_response", "messages_request", "messages_response", "reply_to_request", "reply_to_response")


@pytest.fixture(scope="module")
def page_examples():
    if not os.path.isfile(PAGE):
        pytest.skip(f"the vendor page is not at {' nor '.join(CANDIDATES)} (set CSOFT_VENDOR_PAGE)")
    with open(PAGE, encoding="utf-8") as handle:
        text = handle.read()
    examples = re.findall(r"<\?xml .*?</SOAP-ENV:Envelope>", text, re.S)
    assert len(examples) == len(ORDER), f"the vendor page shows {len(examples)} examples, expected {len(ORDER)}"
    return examples


@pytest.mark.parametrize("index,name", list(enumerate(ORDER)))
def test_fixture_is_the_vendor_example(page_examples, index, name):
    fixture = vendor(name)
    # The page's text, with the one newline the simulator (like most servers) ends a document with.
    assert fixture == page_examples[index].encode("utf-8") + b"\n"

"""Fills reference_icd10code from the `simple-icd-10-cm` package (run by migrations only: the
package's index is loaded in the migrating process, never in the API's workers)."""


def load_icd10(apps=None, schema_editor=None) -> None:
    import simple_icd_10_cm as icd
    from django.db import connection

    from reference.icd10 import CHIROPRACTIC_CODES, search_words

    connection = schema_editor.connection if schema_editor is not None else connection
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reference_icd10code")
        with cursor.copy(
            "COPY reference_icd10code (code, compact, description, billable, search_words) "
            "FROM STDIN"
        ) as copy:
            # The package lists a few codes twice (B10 under two blocks).
            for code in dict.fromkeys(icd.get_all_codes(with_dots=True)):
                if not icd.is_category_or_subcategory(code) and not icd.is_extended_subcategory(
                    code
                ):
                    continue
                description = icd.get_description(code)
                words = search_words(f"{description} {CHIROPRACTIC_CODES.get(code, '')}")
                copy.write_row((code, code.replace(".", ""), description, icd.is_leaf(code), words))
        cursor.execute("ANALYZE reference_icd10code")

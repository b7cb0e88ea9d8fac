"""Django's own texts speak Spanish in tú, like the rest of successkit (SPEC.md §6).

Django's Spanish catalogs say usted ("Seleccione", "Introduzca", "Su contraseña…"); the
catalog in ``django_texts/locale`` (settings.LOCALE_PATHS) overrides those entries. The
first tests render real pages and messages and compare them with texts written here by
hand; the last ones scan every compiled catalog the app loads for Spanish.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.test import Client
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import trans_real
from django.views.i18n import JavaScriptCatalog

from successkit.accounts.roles import Role
from successkit.factories import PASSWORD, ContactFactory, ContractFactory, StaffFactory

PACKAGE = Path(__file__).resolve().parents[2]
OVERRIDES = PACKAGE / "django_texts" / "locale" / "es" / "LC_MESSAGES"


def spanish_admin() -> Client:
    client = Client()
    user = StaffFactory(roles=[Role.ADMIN], language="es")
    assert client.login(username=user.email, password=PASSWORD)
    return client


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_admin_change_list_and_delete_page_say_tu() -> None:
    client = spanish_admin()
    listing = page(client.get("/admin/accounts/user/"))
    assert "Selecciona usuario para modificar" in listing
    assert "Seleccione" not in listing
    other = StaffFactory(email="ana@example.com")
    confirm = page(client.get(f"/admin/accounts/user/{other.pk}/delete/"))
    assert "¿Seguro que quieres borrar el usuario" in confirm
    assert "¿Está seguro" not in confirm


@pytest.mark.django_db
def test_the_admin_sign_in_error_says_tu() -> None:
    StaffFactory(email="eva@example.com")
    response = Client(HTTP_ACCEPT_LANGUAGE="es").post(
        "/admin/login/", {"username": "eva@example.com", "password": "not her password"}
    )
    text = page(response)
    assert (
        "Por favor, introduce el correo electrónico y la contraseña correctos de una cuenta"
        " de personal. Ten en cuenta que ambos campos pueden distinguir entre mayúsculas y"
        " minúsculas." in text
    )
    assert "introduzca" not in text.lower()


@pytest.mark.django_db
def test_the_invitation_page_gives_the_password_rules_in_tu() -> None:
    """The page a new contact chooses a password on (Django's PasswordResetConfirmView and
    SetPasswordForm): the validators' help texts and its refusals."""
    user = ContactFactory(organization__language="es").user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    response = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    text = page(response)
    assert "Tu contraseña debe contener al menos 8 caracteres." in text
    assert "Tu contraseña no puede ser una contraseña de uso común." in text
    assert "Su contraseña" not in text
    refused = page(
        client.post(
            response.redirect_chain[-1][0],
            {"new_password1": "a-long-passphrase-1", "new_password2": "another-one-2"},
        )
    )
    assert "Los dos campos de contraseña no coinciden." in refused


def test_validators_and_form_fields_say_tu() -> None:
    with translation.override("es"):
        with pytest.raises(ValidationError) as refused:
            validate_email("not an address")
        assert refused.value.messages == ["Introduce una dirección de correo electrónico válida."]
        with pytest.raises(ValidationError) as refused:
            forms.IntegerField().clean("seven")
        assert refused.value.messages == ["Introduce un número entero."]
        with pytest.raises(ValidationError) as refused:
            forms.CharField(max_length=3).clean("four")
        assert refused.value.messages == [
            "Asegúrate de que este valor tiene como máximo 3 caracteres (tiene 4)."
        ]
        with pytest.raises(ValidationError) as refused:
            forms.ChoiceField(choices=[("a", "A")]).clean("b")
        assert refused.value.messages == [
            "Elige una opción válida. b no es una de las opciones disponibles."
        ]
        assert password_validators_help_texts() == [
            "Tu contraseña debe contener al menos 8 caracteres.",
            "Tu contraseña no puede ser una contraseña de uso común.",
        ]


@pytest.mark.django_db
def test_the_admin_javascript_catalog_says_tu() -> None:
    script = page(spanish_admin().get("/admin/jsi18n/"))
    assert '"Choose a time": "Elige una hora"' in script
    assert (
        '"Type into this box to filter down the list of available %s.": '
        '"Escribe en este cuadro para filtrar la lista de %s disponibles."' in script
    )
    assert '"Now": "Ahora"' in script
    assert "Elija" not in script
    assert "Escriba" not in script


@pytest.mark.django_db
def test_the_history_and_sign_in_attempts_pages_are_spanish() -> None:
    """django-simple-history and django-axes ship no Spanish: their back-office texts come
    from the same catalog, in tú."""
    client = spanish_admin()
    contract = ContractFactory()
    history = page(client.get(f"/admin/contracts/contract/{contract.pk}/history/"))
    assert "Modificado por" in history
    assert "Changed by" not in history
    attempts = page(client.get("/admin/axes/accessattempt/"))
    assert "intento de acceso" in attempts
    assert "access attempt" not in attempts


# Words that only the usted form uses: never in any Spanish text the app shows.
FORMAL = re.compile(
    r"(?i:\b(?:usted(?:es)?|Ud\.|Introduzc?a|Introduza|Ingrese|Seleccione|Compruebe|Corrija|"
    r"Escriba|Elija|Escoja|Asegúrese|Pulse|Haga clic|Desmarque|Habilite|Confirme|Solicite|"
    r"Inténtelo|Mantenga|Empiece|Observe|Tenga en cuenta|Utilice)\b"
    r"|¿(?:Está seguro|Desea|Olvidó)|por favor,? (?:vuelva|envíe|vaya))"
    # At the start of a sentence only: in the middle they may be a third person's.
    r"|(?:^|[.:] )(?:Vuelva|Envíe|Use|Vaya)\b"
)
# Also usted in Django's texts, though a text of ours may use them for a third person
# ("su informe": its report): "su", "sus", "le enviamos", "ha recibido", "puede volver"…
FORMAL_IN_DJANGO = re.compile(
    r"\b(?:[Ss]us?|[Ll]e (?:enviamos|enviaremos|hemos)|[Hh]a (?:recibido|seleccionado|"
    r"olvidado|configurado|guardado|realizado|ingresado)|[Pp]uede (?:volver|editar|agregar)\w*|"
    r"podrá editar|Tiene cambios|Si ejecuta|Si no recibe|[Dd]ebería recibir|[Dd]eberá|"
    r"esté buscando|no ha configurado|[Ee]stá utilizando|No cuenta con|Se ha autenticado|"
    r"deba presentar|luego use|[Vv]aya|[Vv]uelva)\b"
)
# Texts of Django's that match a word above in the third person, checked by hand.
ALLOWED: dict[str, str] = {}


def effective_texts(catalog: trans_real.DjangoTranslation) -> dict[str, set[str]]:
    """Each msgid of a merged Spanish catalog and the texts the app shows for it (the
    catalog that wins, every plural form)."""
    texts: dict[str, set[str]] = {}
    for key in list(catalog._catalog.keys()):  # type: ignore[union-attr]
        if key == "":
            continue
        if isinstance(key, tuple):
            msgid = key[0]
            texts[msgid] = {catalog.ngettext(msgid, msgid, n) for n in (0, 1, 2, 5, 10**6)}
        else:
            texts[key] = {catalog._catalog[key]}  # type: ignore[index]
    return texts


def our_msgids() -> set[str]:
    ours = set()
    for path in PACKAGE.glob("*/locale/es/LC_MESSAGES/django.po"):
        if path.parts[-5] != "django_texts":
            ours |= {
                f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid for e in polib.pofile(path)
            }
    return ours


def formal_texts(texts: dict[str, set[str]], ours: set[str]) -> dict[str, str]:
    found = {}
    for msgid, shown in texts.items():
        for text in shown:
            if FORMAL.search(text) or (
                msgid not in ours and msgid not in ALLOWED and FORMAL_IN_DJANGO.search(text)
            ):
                found[msgid] = text
    return found


def test_no_spanish_text_the_app_loads_says_usted() -> None:
    """Every msgid of Django, the installed apps and ours, as the merged catalog shows it."""
    catalog = trans_real.translation("es")
    texts = effective_texts(catalog)
    assert "Enter a valid value." in texts and "Select %s to change" in texts
    assert formal_texts(texts, our_msgids()) == {}


def test_no_admin_javascript_text_says_usted() -> None:
    catalog = trans_real.DjangoTranslation(
        "es",
        domain="djangojs",
        localedirs=JavaScriptCatalog().get_paths(["django.contrib.admin"]),
    )
    texts = effective_texts(catalog)
    assert "Choose a time" in texts
    assert formal_texts(texts, set()) == {}


def test_the_markers_catch_djangos_own_usted_texts() -> None:
    """The scan above would have failed without the override catalog."""
    django = Path(trans_real.__file__).resolve().parents[2]
    formal = 0
    for path in [
        django / "conf/locale/es/LC_MESSAGES/django.po",
        django / "contrib/admin/locale/es/LC_MESSAGES/django.po",
        django / "contrib/admin/locale/es/LC_MESSAGES/djangojs.po",
        django / "contrib/auth/locale/es/LC_MESSAGES/django.po",
    ]:
        for entry in polib.pofile(path).translated_entries():
            shown = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            if formal_texts({entry.msgid: set(shown)}, set()):
                formal += 1
    assert formal >= 100


def test_the_overrides_change_only_texts_of_django_and_installed_apps() -> None:
    """LOCALE_PATHS wins over every app: the override catalog holds no msgid of ours
    (unless with the same text), and each of its msgids comes from where its comment says:
    a catalog of Django's, or the code of an installed app that ships no Spanish."""
    django = Path(trans_real.__file__).resolve().parents[2]
    site_packages = django.parent
    for domain in ("django", "djangojs"):
        for entry in polib.pofile(str(OVERRIDES / f"{domain}.po")):
            source = entry.comment
            if source.startswith("django/"):
                catalog = polib.pofile(
                    str(site_packages / source / f"locale/es/LC_MESSAGES/{domain}.po")
                )
                assert entry.msgid in {e.msgid for e in catalog}, (source, entry.msgid)
            else:
                assert source in {"simple_history", "axes"}, source
                code = "".join(
                    path.read_text(encoding="utf-8")
                    for path in (site_packages / source).rglob("*")
                    if path.suffix in {".py", ".html"}
                )
                in_template = re.sub(r"%\((\w+)\)s", r"{{\1}}", entry.msgid)
                assert entry.msgid in code or in_template in code, (source, entry.msgid)
    ours: dict[str, str] = {}
    for path in PACKAGE.glob("*/locale/es/LC_MESSAGES/django.po"):
        if path.parts[-5] != "django_texts":
            ours |= {e.msgid: e.msgstr for e in polib.pofile(path)}
    for entry in polib.mofile(str(OVERRIDES / "django.mo")):
        assert ours.get(entry.msgid, entry.msgstr) == entry.msgstr, entry.msgid


@pytest.mark.django_db
def test_the_back_office_names_every_audit_trail_in_spanish() -> None:
    # The audit trails' models are simple_history's, named "historical <model>" in English
    # whatever the language unless they are given names of their own.
    index = page(spanish_admin().get("/admin/"))
    assert re.search(r"[Hh]istorical ", index) is None  # not in the addresses' "historicalorder"
    for name in (
        "Cambios de pedidos",
        "Cambios de contratos",
        "Cambios de tarifas",
        "Cambios de roles del personal",
        "Cambios de organizaciones",
    ):
        assert name in index


def test_every_text_of_ours_reads_in_spanish_as_we_wrote_it() -> None:
    """An app listed before ours in INSTALLED_APPS (the admin) wins for a msgid it also
    translates: the case page's "History" read "Histórico", the admin's word, instead of
    our "Historial". The override catalog must then carry our text."""
    shadowed = {}
    with translation.override("es"):
        for path in PACKAGE.glob("*/locale/es/LC_MESSAGES/django.po"):
            if path.parts[-5] == "django_texts":
                continue
            for entry in polib.pofile(path):
                if entry.msgid_plural or not entry.msgstr:
                    continue
                if entry.msgctxt:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                if shown != entry.msgstr:
                    shadowed[entry.msgid] = (shown, entry.msgstr)
    assert shadowed == {}, "\n".join(f"{k!r}: {v!r}" for k, v in sorted(shadowed.items()))

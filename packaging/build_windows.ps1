# Build Loupe for Windows: the one-folder bundle dist\loupe\ (loupe.exe, the window;
# loupe-cli.exe, the same program with a console), a zip of it, and the per-user
# installer dist\loupe-VERSION-windows-x64-setup.exe (Inno Setup), then the smoke test.
#
#     powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1 [-NoSmoke]
#
# Needs Python 3.11 (x64) on PATH as `python`, and Inno Setup 6 (iscc.exe; installed
# with `choco install innosetup` if missing and Chocolatey is there).
param([switch]$NoSmoke)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

$py = ".venv\Scripts\python.exe"
if (-not (Test-Path $py)) {
    python -m venv .venv
    if ($LASTEXITCODE -ne 0) { throw "python -m venv failed" }
}
& $py -m pip install --quiet --upgrade pip
& $py -m pip install --quiet -e ".[model,package]"
if ($LASTEXITCODE -ne 0) { throw "installing Loupe and the packaging tools failed" }

$version = & $py -c "import sys; sys.path.insert(0, 'packaging'); import prune; print(prune.version())"

Write-Host "== building dist\loupe (PyInstaller)"
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\loupe.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

Write-Host "== dist\loupe-$version-windows-x64.zip"
$zip = "dist\loupe-$version-windows-x64.zip"
if (Test-Path $zip) { Remove-Item $zip }
Compress-Archive -Path dist\loupe -DestinationPath $zip

Write-Host "== installer (Inno Setup)"
$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) {
    $candidates = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                    "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe")
    $iscc = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $iscc -and (Get-Command choco -ErrorAction SilentlyContinue)) {
    choco install innosetup --no-progress -y | Out-Null
    $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
}
if ($iscc -and (Test-Path $iscc)) {
    & $iscc "/DAppVersion=$version" packaging\windows\loupe.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
} else {
    Write-Warning "Inno Setup (iscc.exe) not found: no installer built; the zip is in dist\"
}

if (-not $NoSmoke) {
    Write-Host "== smoke test"
    & $py packaging\smoke_test.py dist\loupe
    if ($LASTEXITCODE -ne 0) { throw "the smoke test failed" }
}

; Inno Setup script of Loupe's Windows installer: a per-user install, no administrator
; rights (PrivilegesRequired=lowest): the program goes to %LOCALAPPDATA%\Programs\Loupe,
; a Start menu entry and (optionally) a desktop icon are added for this user only, and
; .loupe project files open in Loupe.
;
;     iscc /DAppVersion=0.1.0 packaging\windows\loupe.iss
;
; Run from the repository root after PyInstaller has built dist\loupe\ (see
; packaging\build_windows.ps1). Writes dist\loupe-VERSION-windows-x64-setup.exe.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
; Paths are relative to this script's folder: the repository root is two levels up.
#define Repo "..\.."

[Setup]
AppId={{7C3C5B9E-2F61-4D7B-9C1A-5E0F3A8B4D21}
AppName=Loupe
AppVersion={#AppVersion}
AppVerName=Loupe {#AppVersion}
AppPublisher=Loupe
AppComments=Hand-code news articles offline
PrivilegesRequired=lowest
DefaultDirName={autopf}\Loupe
DefaultGroupName=Loupe
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Repo}\dist
OutputBaseFilename=loupe-{#AppVersion}-windows-x64-setup
SetupIconFile={#Repo}\build\icons\loupe.ico
UninstallDisplayIcon={app}\loupe.exe
UninstallDisplayName=Loupe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Repo}\dist\loupe\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An older version's library folder goes before the new one is copied.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\Loupe"; Filename: "{app}\loupe.exe"
Name: "{autodesktop}\Loupe"; Filename: "{app}\loupe.exe"; Tasks: desktopicon

[Registry]
; .loupe files open in Loupe (this user only).
Root: HKCU; Subkey: "Software\Classes\.loupe"; ValueType: string; ValueName: ""; ValueData: "Loupe.Project"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\Loupe.Project"; ValueType: string; ValueName: ""; ValueData: "Loupe project"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Loupe.Project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\loupe.exe,0"
Root: HKCU; Subkey: "Software\Classes\Loupe.Project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\loupe.exe"" ""%1"""

[Run]
Filename: "{app}\loupe.exe"; Description: "{cm:LaunchProgram,Loupe}"; Flags: nowait postinstall skipifsilent
